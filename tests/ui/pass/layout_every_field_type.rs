#![deny(warnings)]
//! A layout with every kind of field (text, enum, bytes, float, integer), a gap and a documented
//! index, compiles without a warning, and so does using it.

#[derive(Clone, Copy, tallymark::FixedText)]
pub enum Channel {
    Web,
    Queue,
}

#[tallymark::layout(dataset = "app_events", binding = "APP_EVENTS")]
struct Event {
    /// Event name.
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    user: String,
    #[blob(3)]
    channel: Channel,
    #[blob(5)]
    payload: Vec<u8>,
    #[double(1)]
    duration_ms: f64,
    #[double(2)]
    count: u32,
}

fn main() {
    let user = String::from("u1");
    Event::point()
        .event("users.get")
        .user(&user)
        .channel(Channel::Web)
        .payload(&[1u8, 2, 3])
        .duration_ms(1.5)
        .count(3_u32)
        .emit();
}
