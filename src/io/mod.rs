//! The widget's I/O with the browser and the outside: [`storage`] (every storage key).

pub(crate) mod storage;
