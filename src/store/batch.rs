//! Group commit: one thread owns the store, takes writes from any number of callers and commits
//! whatever has queued up in one transaction, then tells every caller its write is durable. A
//! caller still waits until its own write is on disk, but many callers share each `fsync`.
//! The thread is joined when the `BatchWriter` is dropped.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;
use std::thread::JoinHandle;

use crate::store::{Error, Store};

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 4096;

enum Request {
    Put {
        family: String,
        key: String,
        value: String,
        done: Sender<Result<(), Error>>,
    },
    Delete {
        family: String,
        key: String,
        done: Sender<Result<bool, Error>>,
    },
    Get {
        family: String,
        key: String,
        done: Sender<Result<Option<String>, Error>>,
    },
    Family {
        family: String,
        done: Sender<Result<Vec<(String, String)>, Error>>,
    },
}

/// A store shared through a writer thread that batches commits.
pub struct BatchWriter {
    tx: Mutex<Option<Sender<Request>>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for BatchWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BatchWriter")
    }
}

fn gone() -> Error {
    Error::Write {
        reason: "the database writer has stopped".to_string(),
    }
}

impl BatchWriter {
    /// Starts the writer thread, which owns `store` from now on.
    pub fn spawn(store: Box<dyn Store>) -> Result<BatchWriter, Error> {
        let (tx, rx) = channel();
        let thread = std::thread::Builder::new()
            .name("dialstate-store".to_string())
            .spawn(move || serve(store, rx))
            .map_err(|err| Error::Write {
                reason: format!("cannot start the database writer: {err}"),
            })?;
        Ok(BatchWriter {
            tx: Mutex::new(Some(tx)),
            thread: Some(thread),
        })
    }

    fn send(&self, request: Request) -> Result<(), Error> {
        let guard = self.tx.lock().map_err(|_| gone())?;
        match guard.as_ref() {
            Some(tx) => tx.send(request).map_err(|_| gone()),
            None => Err(gone()),
        }
    }

    /// Queues a write; the receiver yields once it is durable (or failed).
    pub fn submit(&self, family: &str, key: &str, value: &str) -> Receiver<Result<(), Error>> {
        let (done, rx) = channel();
        let request = Request::Put {
            family: family.to_string(),
            key: key.to_string(),
            value: value.to_string(),
            done: done.clone(),
        };
        if self.send(request).is_err() {
            let _ = done.send(Err(gone()));
        }
        rx
    }

    /// Queues a delete without waiting for it.
    pub fn submit_delete(&self, family: &str, key: &str) {
        let (done, _rx) = channel();
        let _ = self.send(Request::Delete {
            family: family.to_string(),
            key: key.to_string(),
            done,
        });
    }

    fn ask<T>(&self, make: impl FnOnce(Sender<Result<T, Error>>) -> Request) -> Result<T, Error> {
        let (done, rx) = channel();
        self.send(make(done))?;
        rx.recv().map_err(|_| gone())?
    }
}

impl Store for BatchWriter {
    fn get(&self, family: &str, key: &str) -> Result<Option<String>, Error> {
        self.ask(|done| Request::Get {
            family: family.to_string(),
            key: key.to_string(),
            done,
        })
    }

    fn put(&mut self, family: &str, key: &str, value: &str) -> Result<(), Error> {
        self.submit(family, key, value).recv().map_err(|_| gone())?
    }

    fn put_many(&mut self, items: &[(&str, &str, &str)]) -> Result<(), Error> {
        let pending: Vec<_> = items
            .iter()
            .map(|(family, key, value)| self.submit(family, key, value))
            .collect();
        for rx in pending {
            rx.recv().map_err(|_| gone())??;
        }
        Ok(())
    }

    fn delete(&mut self, family: &str, key: &str) -> Result<bool, Error> {
        self.ask(|done| Request::Delete {
            family: family.to_string(),
            key: key.to_string(),
            done,
        })
    }

    fn family(&self, family: &str) -> Result<Vec<(String, String)>, Error> {
        self.ask(|done| Request::Family {
            family: family.to_string(),
            done,
        })
    }
}

/// A writer shared between owners (the PBX and the SIP server): every call goes to the one
/// writer thread.
impl Store for std::sync::Arc<BatchWriter> {
    fn get(&self, family: &str, key: &str) -> Result<Option<String>, Error> {
        self.as_ref().get(family, key)
    }

    fn put(&mut self, family: &str, key: &str, value: &str) -> Result<(), Error> {
        self.submit(family, key, value).recv().map_err(|_| gone())?
    }

    fn put_many(&mut self, items: &[(&str, &str, &str)]) -> Result<(), Error> {
        let pending: Vec<_> = items
            .iter()
            .map(|(family, key, value)| self.submit(family, key, value))
            .collect();
        for rx in pending {
            rx.recv().map_err(|_| gone())??;
        }
        Ok(())
    }

    fn delete(&mut self, family: &str, key: &str) -> Result<bool, Error> {
        self.ask(|done| Request::Delete {
            family: family.to_string(),
            key: key.to_string(),
            done,
        })
    }

    fn family(&self, family: &str) -> Result<Vec<(String, String)>, Error> {
        self.as_ref().family(family)
    }
}

/// A handle on a shared writer whose `put_later` queues the write and returns at once; `commit`
/// waits for all of them (one round trip to the writer thread for a whole batch of changes,
/// which the writer also commits as one transaction). Reads and deletes wait for their answer,
/// and the writer thread takes requests in order, so they see the queued writes.
pub struct WriteBehind {
    writer: std::sync::Arc<BatchWriter>,
    queued: Vec<Receiver<Result<(), Error>>>,
}

impl WriteBehind {
    pub fn new(writer: std::sync::Arc<BatchWriter>) -> WriteBehind {
        WriteBehind {
            writer,
            queued: Vec::new(),
        }
    }
}

impl Store for WriteBehind {
    fn get(&self, family: &str, key: &str) -> Result<Option<String>, Error> {
        self.writer.get(family, key)
    }

    fn put(&mut self, family: &str, key: &str, value: &str) -> Result<(), Error> {
        self.commit()?;
        self.writer.put(family, key, value)
    }

    fn put_many(&mut self, items: &[(&str, &str, &str)]) -> Result<(), Error> {
        self.commit()?;
        self.writer.put_many(items)
    }

    fn put_later(&mut self, family: &str, key: &str, value: &str) -> Result<(), Error> {
        self.queued.push(self.writer.submit(family, key, value));
        Ok(())
    }

    fn commit(&mut self) -> Result<(), Error> {
        let mut first = Ok(());
        for rx in self.queued.drain(..) {
            let result = rx.recv().map_err(|_| gone()).and_then(|r| r);
            if first.is_ok() {
                first = result;
            }
        }
        first
    }

    fn delete(&mut self, family: &str, key: &str) -> Result<bool, Error> {
        self.writer.clone().delete(family, key)
    }

    fn family(&self, family: &str) -> Result<Vec<(String, String)>, Error> {
        self.writer.family(family)
    }
}

impl Drop for BatchWriter {
    fn drop(&mut self) {
        if let Ok(mut guard) = self.tx.lock() {
            guard.take();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The writer thread: waits for a request, takes every write already queued behind it (up to
/// `MAX_BATCH`), commits them together and answers each caller.
fn serve(mut store: Box<dyn Store>, rx: Receiver<Request>) {
    while let Ok(first) = rx.recv() {
        let mut writes = Vec::new();
        let mut others = Vec::new();
        let mut next = Some(first);
        while let Some(request) = next {
            match request {
                Request::Put {
                    family,
                    key,
                    value,
                    done,
                } => writes.push((family, key, value, done)),
                other => others.push(other),
            }
            next = if writes.len() < MAX_BATCH {
                rx.try_recv().ok()
            } else {
                None
            };
        }
        if !writes.is_empty() {
            let items: Vec<(&str, &str, &str)> = writes
                .iter()
                .map(|(f, k, v, _)| (f.as_str(), k.as_str(), v.as_str()))
                .collect();
            let result = store.put_many(&items);
            for (_, _, _, done) in writes {
                let _ = done.send(result.clone());
            }
        }
        // Reads and deletes run after the writes queued before them.
        for request in others {
            match request {
                Request::Delete { family, key, done } => {
                    let _ = done.send(store.delete(&family, &key));
                }
                Request::Get { family, key, done } => {
                    let _ = done.send(store.get(&family, &key));
                }
                Request::Family { family, done } => {
                    let _ = done.send(store.family(&family));
                }
                Request::Put { .. } => {}
            }
        }
    }
}
