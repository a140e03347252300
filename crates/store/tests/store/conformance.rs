use rapport_store::kv::conformance;
use rapport_store::{MemKv, SledKv};

#[test]
fn the_in_memory_twin_conforms() {
    conformance::run(&MemKv::new()).unwrap();
}

#[test]
fn sled_conforms() {
    let dir = tempfile::tempdir().unwrap();
    conformance::run(&SledKv::open(dir.path(), 1 << 20).unwrap()).unwrap();
}
