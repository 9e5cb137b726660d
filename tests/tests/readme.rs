//! The README's Rust snippets, compiled and run: each snippet's items must appear, token for token
//! (doc comments aside), in this file or in another compiled file listed in `SOURCES`, so a
//! snippet cannot drift from code that builds.

use std::cell::RefCell;
use tallymark::events::{self, Reconcile};
use worker::{Request, Response, RouteContext};

// --- Layouts ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, serde::Serialize, tallymark::FixedText)]
pub enum Plan {
    Free,
    Pro,
}

#[derive(Clone, Copy, tallymark::FixedText)]
pub enum Kind {
    Http,
    Abuse,
}

#[tallymark::layout(dataset = "links", binding = "LINKS", naming = "api_crud")]
pub struct LinkEvent {
    /// The event name: `links.create`, `abuse.blocked`, ...
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    route: String,
    /// `HTTP <status>` or the error's message.
    #[blob(3)]
    error: String,
    #[blob(4)]
    owner: String,
    #[blob(5)]
    plan: Plan,
    #[blob(6)]
    kind: Kind,
    #[blob(7)]
    reason: String,
    #[double(1)]
    duration_ms: f64,
}

// --- #[instrumented] -------------------------------------------------------------------------------

pub struct App {
    pub owner: String,
}

fn owner_fields(point: &mut LinkEventPoint<'_>) {
    point.kind(Kind::Http);
}

#[tallymark::instrumented(LinkEvent, route = "POST /links", enrich = owner_fields,
                          fields(owner = ctx.data.owner.clone()))]
async fn create(req: Request, ctx: RouteContext<App>) -> worker::Result<Response> {
    let plan = if req.headers().has("x-pro")? {
        Plan::Pro
    } else {
        Plan::Free
    };
    tallymark::record!(plan = plan);
    Response::ok("created")
}

/// `create` takes a `worker::Request`, which exists only in wasm: natively it is compiled and
/// routed, not run (the quickstart's handler runs in workerd, in the e2e suite).
#[test]
fn the_create_handler_is_a_router_handler() {
    let _router =
        worker::Router::with_data(App { owner: "o1".into() }).post_async("/links", create);
}

// --- Typed events ----------------------------------------------------------------------------------

#[derive(tallymark::events::Dimensions)]
#[tallymark(layout = LinkEvent)]
pub struct Owner {
    #[tallymark(to = owner)]
    pub id: Option<String>,
    #[tallymark(to = plan, overridable)]
    pub plan: Option<Plan>, // an event's own plan wins
    pub created_at: Option<f64>, // not a dimension
}

#[derive(tallymark::events::Event)]
#[tallymark(layout = LinkEvent, state = Owner, prefix = "abuse.", fields(kind = Kind::Abuse))]
pub enum AbuseEvent {
    Blocked {
        #[tallymark(to = reason)]
        cause: String,
        hits: u32,
    },
    LookupFailed {
        code: String,
        #[tallymark(error_text)]
        error: String,
    },
    #[tallymark(line_only)]
    Suspicious { code: String },
}

#[derive(tallymark::events::Event)]
#[tallymark(layout = LinkEvent, state = Owner, prefix = "link.", point_only)]
pub enum LinkLifecycle {
    Created {
        #[tallymark(to = plan)]
        plan: Plan,
        #[tallymark(skip)]
        request_id: String,
    },
}

pub struct Links {
    pub owner: RefCell<Owner>,
}

fn on_alarm(links: &Links) {
    let pass = Reconcile::new("alarm", &links.owner);
    pass.log(&AbuseEvent::Blocked {
        cause: "spam".into(),
        hits: 3,
    }); // console line, then point
    let created = LinkLifecycle::Created {
        plan: Plan::Pro,
        request_id: "r1".into(),
    };
    events::emit(&created, &links.owner.borrow()); // the point only
}

#[test]
fn the_events_snippet_writes_a_line_and_two_points() {
    let links = Links {
        owner: RefCell::new(Owner {
            id: Some("o1".into()),
            plan: Some(Plan::Free),
            created_at: None,
        }),
    };
    let (sink, lines) = (
        tallymark::sink::MemorySink::new(),
        tallymark::sink::MemoryLines::new(),
    );
    tallymark::Scope::new(sink.clone())
        .with_lines(lines.clone())
        .run_sync(|| on_alarm(&links));
    assert_eq!(
        lines.lines(),
        [r#"{"reason":"alarm","event":"abuse.blocked","cause":"spam","hits":3}"#]
    );
    let points = sink.points();
    let blobs: Vec<Vec<&str>> = points.iter().map(|p| p.blob_texts()).collect();
    assert_eq!(
        blobs,
        [
            ["abuse.blocked", "", "", "o1", "free", "abuse", "spam"],
            ["link.created", "", "", "o1", "pro", "", ""]
        ]
    );
}

// --- Testing a handler natively --------------------------------------------------------------------

/// Written against `http` types (workers-rs's `http` feature), so it runs in a native test.
#[tallymark::instrumented(LinkEvent, route = "GET /links/:code")]
async fn resolve<B>(req: http::Request<B>) -> http::Response<String> {
    let gone = req.uri().path().ends_with("/old");
    let status = if gone { 410 } else { 302 };
    http::Response::builder()
        .status(status)
        .body(String::new())
        .unwrap()
}

#[test]
fn a_gone_link_is_written_as_an_error() {
    let sink = tallymark::sink::MemorySink::new();
    let req = http::Request::get("https://sho.rt/links/old")
        .body(())
        .unwrap();
    let scope = tallymark::Scope::new(sink.clone());
    let response = futures_executor::block_on(scope.run(resolve(req)));
    assert_eq!(response.status(), 410);
    assert_eq!(sink.last().unwrap().text("error"), Some("HTTP 410"));
    assert_eq!(sink.last().unwrap().text("event"), Some("links.get"));
}

// --- The check -------------------------------------------------------------------------------------

/// Compiled files that README snippets may come from, besides this one.
const SOURCES: &[&str] = &[
    "tests/tests/readme.rs",
    "examples/quickstart/src/lib.rs",
    "examples/links/src/lib.rs",
    "runtime/tests/wasm.rs",
];

fn workspace_file(path: &str) -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    std::fs::read_to_string(format!("{root}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The fenced ```` ```rust ```` blocks of `markdown`, with the line each starts at.
fn rust_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in markdown.lines().enumerate() {
        match (&mut current, line.trim_end()) {
            (None, "```rust") => current = Some((i + 1, String::new())),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some((_, block)), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// `tokens` as text, without doc comments (`#[doc = ...]`) and without a trailing comma in a
/// group (which formatting adds or removes).
fn without_docs(tokens: proc_macro2::TokenStream) -> String {
    use proc_macro2::TokenTree;
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut kept = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if let (TokenTree::Punct(hash), Some(TokenTree::Group(group))) =
            (&tokens[i], tokens.get(i + 1))
        {
            let is_doc = group
                .stream()
                .into_iter()
                .next()
                .is_some_and(|t| t.to_string() == "doc");
            if hash.as_char() == '#' && is_doc {
                i += 2;
                continue;
            }
        }
        kept.push(match &tokens[i] {
            TokenTree::Group(group) => {
                let inner: proc_macro2::TokenStream = without_docs(group.stream()).parse().unwrap();
                TokenTree::Group(proc_macro2::Group::new(group.delimiter(), inner))
            }
            other => other.clone(),
        });
        i += 1;
    }
    if matches!(kept.last(), Some(TokenTree::Punct(comma)) if comma.as_char() == ',') {
        kept.pop();
    }
    kept.into_iter()
        .collect::<proc_macro2::TokenStream>()
        .to_string()
}

fn items(source: &str, what: &str) -> Vec<String> {
    let file = syn::parse_file(source).unwrap_or_else(|e| panic!("{what} does not parse: {e}"));
    file.items
        .iter()
        .map(|item| without_docs(quote::ToTokens::to_token_stream(item)))
        .collect()
}

#[test]
fn every_readme_snippet_is_compiled_code() {
    let readme = workspace_file("README.md");
    let compiled: Vec<String> = SOURCES
        .iter()
        .flat_map(|path| items(&workspace_file(path), path))
        .collect();
    let blocks = rust_blocks(&readme);
    assert!(blocks.len() >= 5, "the README's snippets were not found");
    for (line, block) in blocks {
        for item in items(&block, &format!("README.md's snippet at line {line}")) {
            assert!(
                compiled.contains(&item),
                "README.md's snippet at line {line} has an item found in none of {SOURCES:?}:\n{item}"
            );
        }
    }
}
