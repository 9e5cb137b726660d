// Two fields on one slot: the layout's users still compile, so this is the only error.
#[tallymark::layout(dataset = "d", binding = "B")]
pub struct Event {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    user: String,
    #[blob(2)]
    country: String,
    #[double(1)]
    duration_ms: f64,
}

#[tallymark::instrumented(Event, route = "GET /users/:id", fields(user = id.to_owned(), country = "fr"))]
fn get_user(id: &str) -> Result<(), String> {
    tallymark::record!(country = "de");
    let _ = id;
    Ok(())
}

fn main() {
    Event::point().event("e").user("u").country("c").duration_ms(1).emit();
    let _ = get_user("u");
}
