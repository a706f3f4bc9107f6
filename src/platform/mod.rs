//! The browser's features the UI needs, none of them about the conversation: display preferences
//! (`prefs`), read aloud (`speech`), the dialog's focus trap in the shadow root (`focus`), starting the
//! worker on idle (`idle`), following the on-screen keyboard (`viewport`), and every UI string in
//! English and Chinese (`i18n`).

pub(crate) mod focus;
pub(crate) mod i18n;
pub(crate) mod idle;
pub(crate) mod prefs;
pub(crate) mod speech;
pub(crate) mod viewport;
