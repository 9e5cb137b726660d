//! The JavaScript boundary, run in Node by wasm-bindgen-test: the exact object handed to
//! `writeDataPoint`, the console object Workers Logs indexes, and the failure paths.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Object, Reflect, JSON};
use tallymark::sink::{AnalyticsEngineSink, ConsoleSink};
use tallymark::Scope;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;
use worker::Env;

#[derive(Clone, Copy, tallymark::FixedText)]
enum Delivery {
    Http,
}

#[tallymark::layout(dataset = "kiloclaw_events", binding = "KILOCLAW_AE")]
struct Event {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    user_id: String,
    #[blob(3)]
    delivery: Delivery,
    #[blob(5)]
    payload: Vec<u8>,
    #[double(1)]
    duration_ms: f64,
    #[double(2)]
    value: f64,
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    Reflect::set(target, &JsValue::from_str(key), value).unwrap();
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap()
}

/// A stand-in binding that records what `writeDataPoint` receives in `calls`.
fn recording_binding() -> (JsValue, Array) {
    let binding: JsValue = Object::new().into();
    let calls = Array::new();
    set(&binding, "calls", &calls);
    set(
        &binding,
        "writeDataPoint",
        &Function::new_with_args("point", "this.calls.push(point)"),
    );
    (binding, calls)
}

fn env_with(binding_name: &str, binding: &JsValue) -> Env {
    let env: JsValue = Object::new().into();
    set(&env, binding_name, binding);
    env.unchecked_into()
}

fn json(value: &JsValue) -> String {
    JSON::stringify(value).unwrap().as_string().unwrap()
}

fn sample() -> EventPoint<'static> {
    let mut point = Event::point();
    point
        .event("kiloclaw.status.get")
        .user_id("user-1")
        .delivery(Delivery::Http)
        .duration_ms(12.5);
    point
}

#[wasm_bindgen_test]
fn analytics_engine_sink_hands_write_data_point_the_exact_object() {
    let (binding, calls) = recording_binding();
    let env = env_with("KILOCLAW_AE", &binding);
    let scope = Scope::new(AnalyticsEngineSink::new(&env));
    scope.run_sync(|| sample().emit());
    assert_eq!(calls.length(), 1);
    assert_eq!(
        json(&calls.get(0)),
        r#"{"indexes":["kiloclaw.status.get"],"blobs":["kiloclaw.status.get","user-1","http","",""],"doubles":[12.5,0]}"#
    );
    assert_eq!(scope.stats().written, 1);
}

#[wasm_bindgen_test]
fn binary_blobs_reach_the_binding_byte_exact() {
    let (binding, calls) = recording_binding();
    let env = env_with("KILOCLAW_AE", &binding);
    Scope::new(AnalyticsEngineSink::new(&env))
        .run_sync(|| Event::point().event("e").payload(&[0u8, 255, 128]).emit());
    let blobs: Array = get(&calls.get(0), "blobs").unchecked_into();
    let payload: js_sys::Uint8Array = blobs.get(4).dyn_into().unwrap();
    assert_eq!(payload.to_vec(), [0, 255, 128]);
}

/// Each value of a written point, as the binding received it: text as a string, bytes as
/// `[bytes]`.
fn values(point: &JsValue) -> (Vec<String>, Vec<String>) {
    let read = |value: JsValue| match value.as_string() {
        Some(text) => text,
        None => format!(
            "{:?}",
            value.dyn_into::<js_sys::Uint8Array>().unwrap().to_vec()
        ),
    };
    let indexes: Array = get(point, "indexes").unchecked_into();
    let blobs: Array = get(point, "blobs").unchecked_into();
    (
        indexes.iter().map(read).collect(),
        blobs.iter().map(read).collect(),
    )
}

#[wasm_bindgen_test]
fn texts_of_every_width_and_bytes_cross_whole_point_after_point() {
    // The point crosses in one call, its texts in one string sliced by UTF-16 offsets: characters
    // of 1 to 4 UTF-8 bytes (the crab is two UTF-16 units), bytes between texts, unset blobs (a
    // byte field never set is `""`, as every unset blob).
    let (binding, calls) = recording_binding();
    let scope = Scope::new(AnalyticsEngineSink::new(&env_with("KILOCLAW_AE", &binding)));
    scope.run_sync(|| {
        Event::point()
            .event("é.✓.🦀")
            .user_id("user-🦀-ü")
            .payload(&[0u8, 255, 128])
            .value(2.0)
            .emit();
        Event::point()
            .event("second")
            .delivery(Delivery::Http)
            .emit();
    });
    assert_eq!(scope.stats().written, 2);
    assert_eq!(
        values(&calls.get(0)),
        (
            vec!["é.✓.🦀".to_owned()],
            ["é.✓.🦀", "user-🦀-ü", "", "", "[0, 255, 128]"]
                .map(String::from)
                .to_vec()
        )
    );
    assert_eq!(
        values(&calls.get(1)),
        (
            vec!["second".to_owned()],
            ["second", "", "http", "", ""].map(String::from).to_vec()
        )
    );
    assert_eq!(json(&get(&calls.get(0), "doubles")), "[0,2]");
}

#[wasm_bindgen_test]
fn texts_repeated_from_the_point_before_and_texts_decoded_every_way_cross_whole() {
    // A text equal to the last point's at its position is not sent again but taken from what
    // the JavaScript side kept; the others are decoded byte by byte when short and ASCII, by the
    // decoder otherwise (non-ASCII, a byte-order mark kept as written, past 64 bytes). The
    // module's memory grows between two points, so the views of it are made again.
    let long = "x".repeat(65);
    let (binding, calls) = recording_binding();
    let scope = Scope::new(AnalyticsEngineSink::new(&env_with("KILOCLAW_AE", &binding)));
    scope.run_sync(|| {
        let point = |event: &str, user: &str| {
            let mut point = Event::point();
            point.event(event).user_id(user).delivery(Delivery::Http);
            point.emit();
        };
        point("item", "u1");
        point("item", "u1");
        point("item", "u2");
        point("u2", "item");
        point("\u{feff}bom", "ascii then é");
        let grown = vec![1u8; 64 << 20];
        std::hint::black_box(&grown);
        point(&long, "ascii then é");
        point(&long, &long);
    });
    assert_eq!(scope.stats().written, 7);
    let written: Vec<(Vec<String>, Vec<String>)> = calls.iter().map(|call| values(&call)).collect();
    let expected = |event: &str, user: &str| {
        (
            vec![event.to_owned()],
            [event, user, "http", "", ""].map(String::from).to_vec(),
        )
    };
    assert_eq!(
        written,
        [
            expected("item", "u1"),
            expected("item", "u1"),
            expected("item", "u2"),
            expected("u2", "item"),
            expected("\u{feff}bom", "ascii then é"),
            expected(&long, "ascii then é"),
            expected(&long, &long),
        ]
    );
}

#[wasm_bindgen_test]
fn after_a_failed_write_the_next_point_crosses_whole() {
    // At the second point the binding has no `writeDataPoint` (its third read), so the call fails
    // before the JavaScript side reads the point; the third point repeats the second's texts, and
    // must not be taken from what the JavaScript side kept of the first.
    let binding = Function::new_no_args(
        "const calls = [];
         let reads = 0;
         return {
           calls,
           get writeDataPoint() {
             reads += 1;
             return reads === 3 ? undefined : (point) => { calls.push(point); };
           },
         };",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    let scope = Scope::new(AnalyticsEngineSink::new(&env_with("KILOCLAW_AE", &binding)));
    let warnings = capture_console("warn", || {
        scope.run_sync(|| {
            Event::point().event("first").user_id("u1").emit();
            Event::point().event("second").user_id("u2").emit();
            Event::point().event("second").user_id("u2").emit();
        });
    });
    assert_eq!(warnings.len(), 1);
    assert_eq!((scope.stats().written, scope.stats().failed), (2, 1));
    let calls: Array = get(&binding, "calls").unchecked_into();
    assert_eq!(
        values(&calls.get(1)),
        (
            vec!["second".to_owned()],
            ["second", "u2", "", "", ""].map(String::from).to_vec()
        )
    );
}

#[wasm_bindgen_test]
fn a_missing_binding_drops_the_point_and_counts_it() {
    let sink = AnalyticsEngineSink::new(&Object::new().unchecked_into());
    let scope = Scope::new(sink);
    scope.run_sync(|| {
        sample().emit();
        sample().emit();
    });
    let stats = scope.stats();
    assert_eq!(
        (stats.written, stats.failed, stats.dropped_without_binding),
        (0, 0, 2)
    );
}

/// `env` behind a proxy that counts, in `gets`, each read of its property `name`.
fn counting_reads(env: &Env, name: &str) -> (Env, Array) {
    let gets = Array::new();
    let proxy = Function::new_with_args(
        "env, name, gets",
        "return new Proxy(env, { get(target, key) { if (key === name) gets.push(key); return target[key]; } });",
    )
    .call3(&JsValue::NULL, env, &JsValue::from_str(name), &gets)
    .unwrap();
    (proxy.unchecked_into(), gets)
}

/// One invocation: a scope of its own on `env`, writing `sample()` once.
fn invocation(env: &Env) -> tallymark::Stats {
    let scope = Scope::new(AnalyticsEngineSink::new(env));
    scope.run_sync(|| sample().emit());
    scope.stats()
}

#[wasm_bindgen_test]
fn a_binding_is_looked_up_once_per_env_object_and_every_invocation_writes_to_it() {
    let (binding, calls) = recording_binding();
    let (env, gets) = counting_reads(&env_with("KILOCLAW_AE", &binding), "KILOCLAW_AE");
    for _ in 0..3 {
        assert_eq!(invocation(&env).written, 1);
    }
    assert_eq!(calls.length(), 3);
    assert_eq!(
        gets.length(),
        1,
        "the binding read from the env object once"
    );
}

#[wasm_bindgen_test]
fn another_env_object_gets_its_own_lookup_of_the_same_binding_name() {
    let (first_binding, first_calls) = recording_binding();
    let (second_binding, second_calls) = recording_binding();
    let first = env_with("KILOCLAW_AE", &first_binding);
    let second = env_with("KILOCLAW_AE", &second_binding);
    for env in [&first, &second, &first] {
        assert_eq!(invocation(env).written, 1);
    }
    assert_eq!((first_calls.length(), second_calls.length()), (2, 1));
}

#[wasm_bindgen_test]
fn a_missing_binding_is_looked_up_and_announced_by_each_invocation_until_it_is_there() {
    let target: JsValue = Object::new().into();
    let (env, gets) = counting_reads(&target.clone().unchecked_into(), "KILOCLAW_AE");
    let warnings = capture_console("warn", || {
        for _ in 0..2 {
            assert_eq!(invocation(&env).dropped_without_binding, 1);
        }
    });
    assert_eq!(gets.length(), 2, "a binding not found is not remembered");
    let notice = "tallymark: no Analytics Engine binding `KILOCLAW_AE` in this Worker's env; its \
                  points are dropped and counted (add it under [[analytics_engine_datasets]] in \
                  wrangler.toml)";
    let lines: Vec<String> = warnings
        .iter()
        .map(|args| args.get(0).as_string().unwrap())
        .collect();
    assert_eq!(lines, [notice, notice]);
    // Added to the same env object afterwards, it is found by the next invocation.
    let (binding, calls) = recording_binding();
    set(&target, "KILOCLAW_AE", &binding);
    assert_eq!(invocation(&env).written, 1);
    assert_eq!((gets.length(), calls.length()), (3, 1));
}

#[wasm_bindgen_test]
fn the_isolate_keeps_sixteen_found_bindings_and_forgets_the_oldest_first() {
    let (binding, calls) = recording_binding();
    let (oldest, gets) = counting_reads(&env_with("KILOCLAW_AE", &binding), "KILOCLAW_AE");
    let another_env = || {
        let (other, _) = recording_binding();
        invocation(&env_with("KILOCLAW_AE", &other));
    };
    invocation(&oldest);
    for _ in 0..15 {
        another_env();
    }
    invocation(&oldest);
    assert_eq!(gets.length(), 1, "still kept with 15 others");
    // The 17th env pushes out the first found, though it was used since (oldest first, not
    // least recently used).
    another_env();
    invocation(&oldest);
    assert_eq!(gets.length(), 2, "looked up again once forgotten");
    assert_eq!(calls.length(), 3);
}

#[wasm_bindgen_test]
fn a_throwing_binding_is_counted_never_propagated() {
    let binding: JsValue = Object::new().into();
    set(
        &binding,
        "writeDataPoint",
        &Function::new_no_args("throw new Error('Analytics Engine write limit exceeded.')"),
    );
    let scope = Scope::new(AnalyticsEngineSink::new(&env_with("KILOCLAW_AE", &binding)));
    let warnings = capture_console("warn", || {
        scope.run_sync(|| {
            sample().emit();
            sample().emit();
        });
    });
    assert_eq!(scope.stats().failed, 2);
    assert_eq!(scope.stats().written, 0);
    // The first failure is announced with what the binding threw; the second is only counted.
    let lines: Vec<String> = warnings
        .iter()
        .map(|args| args.get(0).as_string().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            "tallymark: writeDataPoint failed: Analytics Engine write limit exceeded. (binding \
          `KILOCLAW_AE`); the point is dropped, and this and later failures are counted in \
          Stats::failed"
        ]
    );
}

#[wasm_bindgen_test]
fn a_point_written_from_inside_write_data_point_is_dropped_and_counted() {
    let (binding, calls) = recording_binding();
    // The binding writes a point of its own through the same scope, once, while it is called.
    let write_inside = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new({
        let calls = calls.clone();
        move |point: JsValue| {
            calls.push(&point);
            if calls.length() == 1 {
                sample().emit();
            }
        }
    });
    set(&binding, "writeDataPoint", write_inside.as_ref());
    let scope = Scope::new(AnalyticsEngineSink::new(&env_with("KILOCLAW_AE", &binding)));
    scope.run_sync(|| sample().emit());
    assert_eq!(
        calls.length(),
        1,
        "only the outer point reached the binding"
    );
    assert_eq!((scope.stats().written, scope.stats().failed), (1, 1));
}

/// Replaces `console[method]` with a recorder while `f` runs; returns each call's arguments.
fn capture_console(method: &str, f: impl FnOnce()) -> Vec<Array> {
    let console = get(&js_sys::global(), "console");
    let original = get(&console, method);
    let calls = Array::new();
    let recorder = Function::new_with_args("calls", "return (...args) => { calls.push(args); }")
        .call1(&JsValue::NULL, &calls)
        .unwrap();
    set(&console, method, &recorder);
    f();
    set(&console, method, &original);
    calls.iter().map(JsCast::unchecked_into).collect()
}

#[wasm_bindgen_test]
fn console_sink_logs_a_summary_and_a_real_object() {
    let calls = capture_console("log", || {
        Scope::new(ConsoleSink::new()).run_sync(|| sample().value(2).emit());
    });
    assert_eq!(calls.len(), 1);
    let args = &calls[0];
    assert_eq!(args.length(), 2);
    assert_eq!(args.get(0).as_string().unwrap(), "kiloclaw.status.get");
    let fields = args.get(1);
    assert!(fields.is_object());
    assert_eq!(get(&fields, "duration_ms").as_f64(), Some(12.5));
    assert_eq!(
        json(&fields),
        r#"{"event":"kiloclaw.status.get","user_id":"user-1","delivery":"http","payload":"","duration_ms":12.5,"value":2}"#
    );
}

#[wasm_bindgen_test]
fn past_250_points_the_rest_are_dropped_with_one_console_notice() {
    let (binding, calls) = recording_binding();
    let env = env_with("KILOCLAW_AE", &binding);
    let scope = Scope::new(AnalyticsEngineSink::new(&env));
    let warnings = capture_console("warn", || {
        scope.run_sync(|| {
            for i in 0..300 {
                sample().value(i).emit();
            }
        });
    });
    assert_eq!(calls.length(), 250);
    assert_eq!(scope.stats().dropped_over_limit, 50);
    assert_eq!(warnings.len(), 1);
    assert_eq!(
        warnings[0].get(0).as_string().unwrap(),
        "tallymark: this invocation reached Analytics Engine's limit of 250 data points; \
         further points (first dropped: dataset kiloclaw_events) are dropped and counted"
    );
}

#[wasm_bindgen_test]
fn clocks_work_on_wasm() {
    let start = tallymark::clock::now();
    assert!(tallymark::clock::elapsed_ms(start) >= 0.0);
    assert!(tallymark::clock::unix_ms() > 1.7e12);
}

// --- a real workers-rs handler, run through a Router with a test Env --------------------------------

#[tallymark::layout(dataset = "hello", binding = "HELLO")]
struct Hello {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    route: String,
    #[blob(3)]
    error: String,
    #[blob(4)]
    name: String,
}

#[tallymark::instrumented(Hello, route = "GET /hello/:name")]
async fn hello(
    _req: worker::Request,
    ctx: worker::RouteContext<()>,
) -> worker::Result<worker::Response> {
    let name = ctx.param("name").cloned().unwrap_or_default();
    tallymark::record!(name = name.clone());
    if name == "nobody" {
        return worker::Response::error("no such name", 404);
    }
    worker::Response::ok(format!("hello, {name}"))
}

async fn serve(test: &tallymark::testing::TestEnv, path: &str) -> u16 {
    let req =
        worker::Request::new(&format!("https://example.com{path}"), worker::Method::Get).unwrap();
    let router = worker::Router::new().get_async("/hello/:name", hello);
    let response = Scope::from_env(&test.env())
        .run(router.run(req, test.env()))
        .await;
    response.unwrap().status_code()
}

#[wasm_bindgen_test]
async fn a_handler_run_through_a_router_writes_its_points_into_the_test_env() {
    let test = tallymark::testing::TestEnv::new().with_dataset::<Hello>();
    assert_eq!(serve(&test, "/hello/world").await, 200);
    assert_eq!(serve(&test, "/hello/nobody").await, 404);
    let points = test.points();
    let blobs: Vec<Vec<&str>> = points.iter().map(|point| point.blob_texts()).collect();
    assert_eq!(
        blobs,
        [
            ["hello.get", "GET /hello/:name", "", "world"],
            ["hello.get", "GET /hello/:name", "HTTP 404", "nobody"]
        ]
    );
    assert_eq!(points[0].index(), Some("hello.get"));
    assert_eq!(points[1].text("name"), Some("nobody"));
}

#[wasm_bindgen_test]
async fn a_test_env_without_the_layouts_binding_counts_the_points_as_dropped() {
    let test = tallymark::testing::TestEnv::new();
    let scope = Scope::from_env(&test.env());
    scope.run_sync(|| sample().emit());
    assert!(test.points().is_empty());
    assert_eq!(scope.stats().dropped_without_binding, 1);
}

#[tallymark::layout(dataset = "keys", binding = "KEYS")]
struct ByteKeyed {
    #[index]
    key: Vec<u8>,
}

#[wasm_bindgen_test]
fn a_byte_index_does_not_grow_past_the_limit_on_its_way_to_the_binding() {
    let (binding, calls) = recording_binding();
    let env = env_with("KEYS", &binding);
    Scope::new(AnalyticsEngineSink::new(&env))
        .run_sync(|| ByteKeyed::point().key(vec![0xFF; 96]).emit());
    let indexes: Array = get(&calls.get(0), "indexes").unchecked_into();
    let index = indexes.get(0).as_string().unwrap();
    assert_eq!(index, "\u{FFFD}".repeat(32));
    assert_eq!(index.len(), 96, "bytes of UTF-8");
}

/// `#[hashed]` fields, with the `hashed` feature (the test script's wasm stage turns it on).
#[cfg(feature = "hashed")]
mod hashed {
    use super::*;

    #[tallymark::layout(
        dataset = "accounts",
        binding = "ACCOUNTS",
        hash_key = "ACCOUNT_HASH_KEY"
    )]
    struct Account {
        #[index]
        #[blob(1)]
        event: String,
        #[blob(2)]
        #[hashed]
        email: String,
        #[blob(3)]
        #[redacted]
        note: String,
    }

    #[wasm_bindgen_test]
    fn the_analytics_engine_sink_gets_hashes_from_the_workers_secret_and_no_redacted_value() {
        let (binding, calls) = recording_binding();
        let env = env_with("ACCOUNTS", &binding);
        set(&env, "ACCOUNT_HASH_KEY", &JsValue::from_str("Jefe"));
        let scope = Scope::from_env(&env);
        scope.run_sync(|| {
            Account::point()
                .event("account.updated")
                .email("what do ya want for nothing?")
                .note("private note")
                .emit();
        });
        // The key and value of RFC 4231's test case 2: HMAC-SHA-256 starts 5bdcc146bf60754e...
        assert_eq!(
            json(&calls.get(0)),
            r#"{"indexes":["account.updated"],"blobs":["account.updated","W9zBRr9gdU5qBCQmCJV1xw",""],"doubles":[]}"#
        );
        assert_eq!(scope.stats().unhashed_fields, 0);
    }
}
