//! `#[hashed]` and `#[redacted]` fields (runtime/src/privacy.rs): a secret value fed through
//! every sink and every console line appears in none; a hashed one is its keyed hash; with no
//! key it is written empty and counted; in-memory test sinks alone see redacted values.
#![cfg(feature = "hashed")]

use std::cell::RefCell;
use std::sync::{Arc, Mutex};
use tallymark::events::Reconcile;
use tallymark::sink::{ConsoleSink, Fanout, MemoryLines, MemorySink, TracingSink};
use tallymark::{Layout, Privacy, Scope};
use tallymark_tests::Captured;

const EMAIL: &str = "ada@example.com";
const NOTE: &str = "private note";
const USER: &str = "user-1";
const KEY: &[u8] = b"a key of this test";

/// A layout with a hashed index, a hashed blob, a redacted blob and a redacted number.
#[tallymark::layout(
    dataset = "accounts",
    binding = "ACCOUNTS",
    hash_key = "ACCOUNT_HASH_KEY"
)]
pub struct Account {
    #[index]
    #[hashed]
    user: String,
    #[blob(1)]
    event: String,
    #[blob(2)]
    #[hashed]
    email: String,
    #[blob(3)]
    #[redacted]
    note: String,
    #[double(1)]
    #[redacted]
    balance: f64,
}

#[derive(Default, tallymark::events::Dimensions)]
#[tallymark(layout = Account)]
pub struct Holder {
    #[tallymark(to = user)]
    user: Option<String>,
}

#[derive(tallymark::events::Event)]
#[tallymark(layout = Account, state = Holder)]
pub enum Changed {
    Email {
        #[tallymark(to = email)]
        email: String,
        #[tallymark(to = note)]
        note: String,
        kept: u32,
    },
}

/// A layout whose error field is redacted, and an event that fills it from its error text.
#[tallymark::layout(dataset = "lookups", binding = "LOOKUPS")]
pub struct Lookup {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    #[redacted]
    error: String,
}

#[derive(tallymark::events::Event)]
#[tallymark(layout = Lookup)]
pub enum LookupEvent {
    Failed {
        #[tallymark(error_text)]
        error: String,
    },
}

/// A layout whose error field is hashed, cut to 8 characters.
#[tallymark::layout(
    dataset = "audits",
    binding = "AUDITS",
    hash_key = "ACCOUNT_HASH_KEY",
    error_text = chars(8)
)]
pub struct Audit {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    #[hashed]
    error: String,
}

#[derive(tallymark::events::Event)]
#[tallymark(layout = Audit)]
pub enum AuditEvent {
    Denied {
        #[tallymark(error_text)]
        error: String,
    },
}

/// A layout whose error field is the index alone, hashed: the error text goes to the index.
#[tallymark::layout(
    dataset = "denials",
    binding = "DENIALS",
    hash_key = "ACCOUNT_HASH_KEY",
    error_text = chars(8)
)]
pub struct Denial {
    #[blob(1)]
    event: String,
    #[index]
    #[hashed]
    error: String,
}

#[derive(tallymark::events::Event)]
#[tallymark(layout = Denial)]
pub enum DenialEvent {
    Denied {
        #[tallymark(error_text)]
        error: String,
    },
}

struct Resolver;

impl Resolver {
    #[tallymark::events::reconcile_event(Lookup, action = "resolve", context = pass)]
    fn resolve(&self, pass: &Reconcile<'_, ()>) -> Result<(), String> {
        Err(EMAIL.into())
    }
}

fn secret_point() -> AccountPoint<'static> {
    let mut point = Account::point();
    point
        .user(USER)
        .event("account.updated")
        .email(EMAIL)
        .note(NOTE)
        .balance(1234.5);
    point
}

fn hash(value: &str) -> String {
    // The rule, written out with the same crates: HMAC-SHA-256, 16 bytes, base64url.
    use base64::Engine as _;
    use hmac::Mac as _;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(KEY).unwrap();
    mac.update(value.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..16])
}

#[test]
fn the_schema_says_what_is_private() {
    let privacy: Vec<(&str, Privacy)> = Account::SCHEMA
        .fields()
        .iter()
        .map(|f| (f.name(), f.privacy()))
        .collect();
    assert_eq!(
        privacy,
        [
            ("user", Privacy::Hashed),
            ("event", Privacy::Plain),
            ("email", Privacy::Hashed),
            ("note", Privacy::Redacted),
            ("balance", Privacy::Redacted)
        ]
    );
    assert_eq!(Account::SCHEMA.hash_key(), Some("ACCOUNT_HASH_KEY"));
}

#[test]
fn a_builder_debugs_without_its_secrets() {
    assert_eq!(
        format!("{:?}", secret_point()),
        r#"AccountPoint { user: <hashed>, event: "account.updated", email: <hashed>, note: <redacted>, balance: <redacted> }"#
    );
}

#[test]
fn a_memory_sink_sees_hashes_and_the_redacted_values() {
    let sink = MemorySink::new();
    let scope = Scope::new(sink.clone()).with_hash_key("ACCOUNT_HASH_KEY", KEY);
    scope.run_sync(|| secret_point().emit());
    let point = sink.last().unwrap();
    assert_eq!(point.index(), Some(hash(USER).as_str()));
    assert_eq!(point.blob_texts(), ["account.updated", &hash(EMAIL), NOTE]);
    assert_eq!(point.doubles(), [1234.5]);
    assert_eq!(scope.stats().unhashed_fields, 0);
}

#[test]
fn a_point_handed_on_by_hand_shows_no_redacted_value() {
    let sink = MemorySink::new();
    Scope::new(sink.clone())
        .with_hash_key("ACCOUNT_HASH_KEY", KEY)
        .run_sync(|| secret_point().emit());
    // A memory sink keeps the redacted values; the view it hands on, to any sink, does not.
    let recorded = sink.last().unwrap();
    assert_eq!(recorded.text("note"), Some(NOTE));
    let view = recorded.view();
    assert_eq!(view.blobs()[2].as_str(), Some(""));
    assert_eq!(view.doubles(), [0.0]);
    assert_eq!(
        tallymark::sink::json_line(&view),
        format!(
            r#"{{"user":"{}","event":"account.updated","email":"{}","note":"","balance":0}}"#,
            hash(USER),
            hash(EMAIL)
        )
    );
    assert_eq!(
        format!("{:?}", secret_point().seal()),
        r#"DataPoint { user: <hashed>, event: "account.updated", email: <hashed>, note: <redacted>, balance: <redacted> }"#
    );
}

#[test]
fn a_builder_written_twice_is_protected_from_its_own_values_both_times() {
    let sink = MemorySink::new();
    let scope = Scope::new(sink.clone()).with_hash_key("ACCOUNT_HASH_KEY", KEY);
    let mut point = secret_point();
    scope.run_sync(|| {
        point.emit();
        point.event("account.checked").emit();
    });
    let points = sink.points();
    assert_eq!(points.len(), 2);
    for (point, event) in points.iter().zip(["account.updated", "account.checked"]) {
        assert_eq!(point.index(), Some(hash(USER).as_str()));
        assert_eq!(point.blob_texts(), [event, &hash(EMAIL), NOTE]);
        assert_eq!(point.doubles(), [1234.5]);
    }
    assert_eq!((point.get_user(), point.get_email()), (USER, EMAIL));
    assert_eq!(scope.stats().unhashed_fields, 0);
}

#[test]
fn a_builder_written_twice_without_a_key_is_counted_both_times() {
    let sink = MemorySink::new();
    let scope = Scope::new(sink.clone());
    let mut point = secret_point();
    scope.run_sync(|| {
        point.emit();
        point.emit();
    });
    for written in sink.points() {
        assert_eq!(written.index(), Some(""));
        assert_eq!(written.blob_texts(), ["account.updated", "", NOTE]);
    }
    assert_eq!(scope.stats().unhashed_fields, 4);
    assert_eq!((point.get_user(), point.get_email()), (USER, EMAIL));
}

#[test]
fn an_error_text_goes_into_a_line_as_the_layouts_error_field_allows() {
    let (lines, sink, state) = (MemoryLines::new(), MemorySink::new(), RefCell::new(()));
    Scope::new(sink.clone())
        .with_lines(lines.clone())
        .run_sync(|| {
            let pass = Reconcile::new("lookup", &state);
            pass.log(&LookupEvent::Failed {
                error: EMAIL.into(),
            });
            assert_eq!(Resolver.resolve(&pass), Err(EMAIL.into()));
        });
    let lines = lines.lines();
    // Only the measured duration varies: taken as written.
    let duration = lines[1].split_once(r#""duration_ms":"#).unwrap().1;
    assert_eq!(
        lines,
        [
            r#"{"reason":"lookup","event":"failed"}"#.to_owned(),
            format!(r#"{{"reason":"lookup","event":"reconcile.resolve","duration_ms":{duration}"#),
        ]
    );
    let points: Vec<Vec<String>> = sink
        .points()
        .iter()
        .map(|point| point.blob_texts().into_iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(
        points,
        [["failed", EMAIL], ["reconcile.resolve", EMAIL]],
        "a test sink keeps redacted values"
    );
}

#[test]
fn a_hashed_error_text_in_a_line_is_the_hash_its_point_holds() {
    let (lines, sink, state) = (MemoryLines::new(), MemorySink::new(), RefCell::new(()));
    let scope = Scope::new(sink.clone())
        .with_hash_key("ACCOUNT_HASH_KEY", KEY)
        .with_lines(lines.clone());
    scope.run_sync(|| {
        let pass = Reconcile::new("audit", &state);
        pass.log(&AuditEvent::Denied {
            error: EMAIL.into(),
        });
        pass.log(&AuditEvent::Denied {
            error: String::new(),
        });
    });
    // The point's error is the text cut to the layout's 8 characters, then hashed; an empty
    // error is written empty in both.
    let hashed = hash(&EMAIL[..8]);
    let points: Vec<Vec<String>> = sink
        .points()
        .iter()
        .map(|point| point.blob_texts().into_iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(points, [["denied", hashed.as_str()], ["denied", ""]]);
    assert_eq!(
        lines.lines(),
        [
            format!(r#"{{"reason":"audit","event":"denied","error":"{hashed}"}}"#),
            r#"{"reason":"audit","event":"denied","error":""}"#.to_owned(),
        ]
    );
    assert_eq!(scope.stats().unhashed_fields, 0);
}

/// An index-only error field is filled like a blob one: the line's hash is the point's index
/// (the point's index was empty while the line showed the hash).
#[test]
fn a_hashed_error_index_holds_the_hash_its_line_shows() {
    let (lines, sink, state) = (MemoryLines::new(), MemorySink::new(), RefCell::new(()));
    let scope = Scope::new(sink.clone())
        .with_hash_key("ACCOUNT_HASH_KEY", KEY)
        .with_lines(lines.clone());
    scope.run_sync(|| {
        Reconcile::new("audit", &state).log(&DenialEvent::Denied {
            error: EMAIL.into(),
        });
    });
    let hashed = hash(&EMAIL[..8]);
    let point = sink.last().unwrap();
    assert_eq!(point.index(), Some(hashed.as_str()));
    assert_eq!(point.blob_texts(), ["denied"]);
    assert_eq!(
        lines.lines(),
        [format!(
            r#"{{"reason":"audit","event":"denied","error":"{hashed}"}}"#
        )]
    );
}

/// Every value of every `tracing` event, as text.
#[derive(Clone, Default)]
struct Values(Arc<Mutex<String>>);

impl tracing::field::Visit for Values {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = std::fmt::Write::write_fmt(
            &mut *self.0.lock().unwrap(),
            format_args!("{}={:?};", field.name(), value),
        );
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Values {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        event.record(&mut self.clone());
    }
}

#[test]
fn no_production_sink_and_no_line_carries_a_secret() {
    use tracing_subscriber::layer::SubscriberExt;
    let console = Captured::default();
    let values = Values::default();
    let lines = MemoryLines::new();
    let fanned_memory = MemorySink::new();
    let holder = RefCell::new(Holder {
        user: Some(USER.into()),
    });
    let subscriber = tracing_subscriber::registry().with(values.clone());
    tracing::subscriber::with_default(subscriber, || {
        let sinks = Fanout::new()
            .with(ConsoleSink::to_writer(console.clone()))
            .with(TracingSink)
            .with(fanned_memory.clone());
        Scope::new(sinks)
            .with_hash_key("ACCOUNT_HASH_KEY", KEY)
            .with_lines(lines.clone())
            .run_sync(|| {
                secret_point().emit();
                Reconcile::new("audit", &holder).log(&Changed::Email {
                    email: EMAIL.into(),
                    note: NOTE.into(),
                    kept: 7,
                });
            });
    });
    let console = console.text();
    let traced = values.0.lock().unwrap().clone();
    let line = lines.lines().join("\n");
    let fanned: Vec<String> = fanned_memory
        .points()
        .iter()
        .map(|p| format!("{:?} {:?}", p.blob_texts(), p.index()))
        .collect();
    for (written, what) in [
        (&console, "console"),
        (&traced, "tracing"),
        (&line, "lines"),
    ] {
        for secret in [EMAIL, NOTE, USER, "1234.5"] {
            assert!(
                !written.contains(secret),
                "{what} carries {secret:?}: {written}"
            );
        }
    }
    for secret in [EMAIL, NOTE, USER] {
        assert!(
            !fanned.join(" ").contains(secret),
            "a fan-out with a production sink redacts"
        );
    }
    assert!(console.contains(&hash(EMAIL)), "{console}");
    assert_eq!(
        line,
        format!(
            r#"{{"reason":"audit","event":"email","email":"{}","kept":7}}"#,
            hash(EMAIL)
        )
    );
}

#[test]
fn without_a_key_a_hashed_field_is_written_empty_and_counted() {
    let console = Captured::default();
    let scope = Scope::new(ConsoleSink::to_writer(console.clone()));
    scope.run_sync(|| secret_point().emit());
    assert_eq!(
        console.text(),
        "{\"user\":\"\",\"event\":\"account.updated\",\"email\":\"\",\"note\":\"\",\"balance\":0}\n"
    );
    assert_eq!(scope.stats().unhashed_fields, 2);
    assert_eq!(scope.stats().written, 1);
}
