//! Pairing secrets under contention: a ticket seen by someone else (a photo of the QR code)
//! and presented at the same moment as the real one must still work only once.

use std::sync::{Arc, Barrier};

use rapport_model::{Clock, FixedClock};
use rapport_store::Store;
use rapport_sync::Directory;
use rapport_sync::ticket::PairingSecret;

use super::t;

#[test]
fn a_secret_presented_many_times_at_once_works_once() {
    const AT_ONCE: usize = 8;
    for _ in 0..25 {
        let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(t(0)));
        let dir = Directory::new(Arc::new(Store::in_memory()), clock);
        let secret = PairingSecret::random();
        dir.invite(&secret, t(300_000)).unwrap();
        let start = Arc::new(Barrier::new(AT_ONCE));
        let tries: Vec<_> = (0..AT_ONCE)
            .map(|_| {
                let (dir, start) = (dir.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    dir.redeem(&secret).is_ok()
                })
            })
            .collect();
        let accepted = tries
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|ok| *ok)
            .count();
        assert_eq!(accepted, 1, "the secret was accepted {accepted} times");
    }
}
