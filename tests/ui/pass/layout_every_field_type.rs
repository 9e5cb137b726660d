#![deny(warnings)]
//! The reference layout compiles without a warning, and so does using it.

#[derive(Clone, Copy, tallymark::FixedText)]
pub enum Delivery {
    Http,
    Do,
}

#[tallymark::layout(dataset = "kiloclaw_events", binding = "KILOCLAW_AE")]
struct Event {
    /// Event name.
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
    count: u32,
}

fn main() {
    let user = String::from("u1");
    Event::point()
        .event("status.get")
        .user_id(&user)
        .delivery(Delivery::Http)
        .payload(&[1u8, 2, 3])
        .duration_ms(1.5)
        .count(3_u32)
        .emit();
}
