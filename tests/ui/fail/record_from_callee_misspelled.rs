// A field recorded from a called function is checked against the layout like any other.
use tallymark_tests::Sample;

fn load_user(id: String) {
    Sample::record(|point| {
        point.usr(id);
    });
}

fn main() {
    load_user(String::new());
}
