// Without the `hashed` feature: one error per layout, at its first `#[hashed]`, naming the
// feature (and no other about hashing); the rest of the layout, and code using it, compiles.
#[tallymark::layout(dataset = "accounts", binding = "ACCOUNTS", hash_key = "ACCOUNT_HASH_KEY")]
struct Account {
    #[index]
    #[blob(1)]
    event: String,
    #[blob(2)]
    #[hashed]
    email: String,
    #[blob(3)]
    #[hashed]
    phone: String,
}

// No `hash_key` either: the feature's error alone.
#[tallymark::layout(dataset = "users", binding = "USERS")]
struct User {
    #[index]
    #[hashed]
    user: String,
}

fn main() {
    Account::point().event("account.updated").email("a@example.com").emit();
    User::point().user("user-1").emit();
}
