//! `tallymark query --remote`: the checked, name-rewritten SQL sent to Analytics Engine's SQL API
//! (`POST {api}/accounts/$CLOUDFLARE_ACCOUNT_ID/analytics_engine/sql`, bearer
//! `$CLOUDFLARE_API_TOKEN`). The token is only ever put in the `Authorization` header: never
//! printed, logged or included in an error.

/// Cloudflare's API, the default base URL (`--api-url` or `TALLYMARK_API_URL` point elsewhere,
/// such as `tallymark serve`).
pub const DEFAULT_API_URL: &str = "https://api.cloudflare.com/client/v4";

fn variable(name: &str) -> Result<String, String> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value.trim().to_owned()),
        _ => Err(format!("--remote needs {name} in the environment")),
    }
}

/// Sends `sql` and returns the response body; an HTTP error status is an error with its body.
pub fn send(api_url: &str, sql: &str) -> Result<String, String> {
    let account = variable("CLOUDFLARE_ACCOUNT_ID")?;
    let token = variable("CLOUDFLARE_API_TOKEN")?;
    if !account
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err("CLOUDFLARE_ACCOUNT_ID holds characters an account id cannot".to_owned());
    }
    let url = format!(
        "{}/accounts/{account}/analytics_engine/sql",
        api_url.trim_end_matches('/')
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(&url)
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "text/plain; charset=utf-8")
        .send(sql)
        // ureq's errors name the host, never the headers.
        .map_err(|e| format!("cannot reach {url}: {e}"))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("cannot read the answer of {url}: {e}"))?;
    if status == 200 {
        Ok(body)
    } else {
        Err(format!("{url} answered HTTP {status}: {}", body.trim()))
    }
}
