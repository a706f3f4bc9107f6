//! The widget's I/O, each behind one module: the Web Worker that owns the model ([`worker`]), every
//! request to the bank's server ([`outbox`]), the hand-off's event stream ([`live`]), the counts of
//! in-browser outcomes ([`telemetry`]), and every storage key ([`storage`]).
//!
//! Why one [`Io`] value: the handles hold state that callbacks from the browser (a worker message, a
//! server-sent event, a retry timer) come back to, so each is an `Rc` that those callbacks clone.
//! `host::mount` makes them once and the conversation (`Chat`) keeps them; nothing here is a module
//! global, so two widgets on a page (or a test) never share a queue or a stream by accident.

pub(crate) mod live;
pub(crate) mod outbox;
pub(crate) mod storage;
pub(crate) mod telemetry;
pub(crate) mod worker;

/// Every I/O handle of one mounted widget. Cloning clones the handles, not what they hold.
#[derive(Clone)]
pub struct Io {
    pub worker: worker::WorkerClient,
    pub outbox: outbox::Outbox,
    pub live: live::Live,
    pub telemetry: telemetry::Telemetry,
}

impl Io {
    /// `manifest`: the loader's asset manifest (JSON), for the worker.
    pub fn new(manifest: String) -> Io {
        let outbox = outbox::Outbox::default();
        Io {
            worker: worker::WorkerClient::new(manifest),
            live: live::Live::new(outbox.clone()),
            outbox,
            telemetry: telemetry::Telemetry::default(),
        }
    }
}
