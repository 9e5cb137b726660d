// Without the `hashed` feature: one error for the layout, at its first `#[hashed]`, naming the
// feature; the rest of the layout (and code using it) compiles.
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

fn main() {
    Account::point().event("account.updated").email("a@example.com").emit();
}
