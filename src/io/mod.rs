//! The widget's I/O, each behind one module: the Web Worker that owns the model ([`worker`]), every
//! request to the bank's server ([`outbox`]), the hand-off's event stream ([`live`]), and every
//! storage key ([`storage`]).

pub(crate) mod live;
pub(crate) mod outbox;
pub(crate) mod storage;
pub(crate) mod worker;
