//! `TALLYMARK_LOCK=write` (macros-core/src/lock.rs): compiling a layout rewrites its section of the
//! lock from the layout, retires the slots of removed fields, keeps other sections, and records
//! each FixedText enum's values (keeping values once written). A test binary of its own: the lock
//! and the mode are named through this process's environment, which trybuild's compiler inherits.

const BEFORE: &str = "# an old header, replaced when the lock is written

layout Other dataset other binding OTHER
  index event text

layout Rewritten dataset jobs binding JOBS
  index event text  # The event name.
  blob1 event text  # The event name.
  blob2 owner text
  blob3 region text

enum Phase values queued done
";

const AFTER: &str =
    "# tallymark schema lock: what each slot of each dataset holds. #[tallymark::layout] checks
# the layouts against it when the crate compiles. Rewrite it with TALLYMARK_LOCK=write cargo check
# and review the diff: only appended slots should appear.

layout Other dataset other binding OTHER
  index event text

layout Rewritten dataset jobs binding JOBS
  index event text  # The event name.
  blob1 event text  # The event name.
  blob2 owner text
  blob3 retired region
  blob4 zone text
  blob5 phase enum Phase
  double1 attempts number

enum Phase values queued running done
";

#[test]
fn writing_the_lock_rewrites_the_layouts_section_and_retires_removed_fields() {
    let dir = std::env::temp_dir().join(format!("tallymark-lock-write-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let lock = dir.join("tallymark.lock");
    std::fs::write(&lock, BEFORE).unwrap();
    std::env::set_var("TALLYMARK_LOCK_PATH", &lock);
    std::env::set_var("TALLYMARK_LOCK", "write");
    {
        // trybuild compiles (and runs) the case when `cases` is dropped.
        let cases = trybuild::TestCases::new();
        cases.pass("ui/lock/write/*.rs");
    }
    let written = std::fs::read_to_string(&lock).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(written, AFTER);
}
