//! The HTTP functions of Low Code scripts (`http_get`, `http_post_json`,
//! `http_post_form`): an allow-list checked before every connection and every
//! redirect hop, a cookie jar that lives for one run (log in, then read a
//! page), the run's remaining time as each request's timeout, and a cap on
//! response bodies.
//!
//! Redirects are followed here, hop by hop, rather than by reqwest, so that no
//! hop can reach a host outside the allow-list.

use std::io::Read;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use reqwest::blocking::{Client, Response};
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE,
};
use reqwest::{Method, StatusCode, Url};
use rhai::{Dynamic, Engine, ImmutableString, Map as ScriptMap, INT};

use super::error::{abort, script_error, LimitKind, LowcodeError};
use super::LowcodeConfig;

type ScriptResult = Result<Dynamic, Box<rhai::EvalAltResult>>;

/// One run's HTTP state.
pub(crate) struct HttpSession {
    allowed: AllowList,
    jar: Jar,
    deadline: Instant,
    max_response_bytes: usize,
    max_redirects: usize,
}

/// Where one request led: the final response as the script sees it, or a
/// redirect to follow.
enum Hop {
    Done(Dynamic),
    Redirect { to: Url, status: StatusCode },
}

enum Body {
    Empty,
    Json(serde_json::Value),
    Form(Vec<(String, String)>),
}

pub(crate) fn register(engine: &mut Engine, session: &Arc<HttpSession>) {
    let http = Arc::clone(session);
    engine.register_fn("http_get", move |url: ImmutableString| {
        http.send(Method::GET, &url, Body::Empty, &ScriptMap::new())
    });
    let http = Arc::clone(session);
    engine.register_fn(
        "http_get",
        move |url: ImmutableString, headers: ScriptMap| {
            http.send(Method::GET, &url, Body::Empty, &headers)
        },
    );
    let http = Arc::clone(session);
    engine.register_fn(
        "http_post_json",
        move |url: ImmutableString, body: Dynamic| {
            http.send(Method::POST, &url, json_body(&body)?, &ScriptMap::new())
        },
    );
    let http = Arc::clone(session);
    engine.register_fn(
        "http_post_json",
        move |url: ImmutableString, body: Dynamic, headers: ScriptMap| {
            http.send(Method::POST, &url, json_body(&body)?, &headers)
        },
    );
    let http = Arc::clone(session);
    engine.register_fn(
        "http_post_form",
        move |url: ImmutableString, form: ScriptMap| {
            http.send(Method::POST, &url, form_body(&form), &ScriptMap::new())
        },
    );
    let http = Arc::clone(session);
    engine.register_fn(
        "http_post_form",
        move |url: ImmutableString, form: ScriptMap, headers: ScriptMap| {
            http.send(Method::POST, &url, form_body(&form), &headers)
        },
    );
}

fn json_body(body: &Dynamic) -> Result<Body, Box<rhai::EvalAltResult>> {
    rhai::serde::from_dynamic(body)
        .map(Body::Json)
        .map_err(|err| script_error(format!("http_post_json: the body is not JSON: {err}")))
}

fn form_body(form: &ScriptMap) -> Body {
    Body::Form(
        form.iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect(),
    )
}

impl HttpSession {
    pub(crate) fn new(config: &LowcodeConfig, deadline: Instant) -> HttpSession {
        HttpSession {
            allowed: AllowList::new(&config.allowed_hosts),
            jar: Jar::default(),
            deadline,
            max_response_bytes: config.limits.max_response_bytes,
            max_redirects: config.limits.max_redirects,
        }
    }

    fn send(&self, method: Method, url: &str, body: Body, headers: &ScriptMap) -> ScriptResult {
        let mut url = Url::parse(url)
            .map_err(|err| script_error(format!("`{url}` is not a valid URL: {err}")))?;
        let mut headers = header_map(headers)?;
        let mut method = method;
        let mut body = body;
        for _ in 0..=self.max_redirects {
            if !matches!(url.scheme(), "http" | "https") {
                return Err(script_error(format!(
                    "`{url}`: only http and https URLs are allowed"
                )));
            }
            self.allowed.check(&url).map_err(abort)?;
            let (next, status) = match self.hop_off_runtime(&method, &url, &body, &headers) {
                Ok(Hop::Done(response)) => return Ok(response),
                Ok(Hop::Redirect { to, status }) => (to, status),
                Err(err) => return Err(abort(err)),
            };
            if status == StatusCode::SEE_OTHER
                || (method == Method::POST
                    && matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND))
            {
                // What browsers do after a login form: fetch the next page with GET.
                method = Method::GET;
                body = Body::Empty;
                headers.remove(CONTENT_TYPE);
            }
            if origin(&next) != origin(&url) {
                // The script's headers (an Authorization, say) were meant for the first host.
                headers.clear();
            }
            url = next;
        }
        Err(abort(LowcodeError::Http(format!(
            "`{url}` redirected more than {} times",
            self.max_redirects
        ))))
    }

    /// Runs one request on a short-lived thread of its own: reqwest's blocking
    /// client panics when used on an async runtime's thread, and this keeps
    /// `run` safe to call from anywhere (though it belongs in `spawn_blocking`).
    fn hop_off_runtime(
        &self,
        method: &Method,
        url: &Url,
        body: &Body,
        headers: &HeaderMap,
    ) -> Result<Hop, LowcodeError> {
        std::thread::scope(|scope| {
            scope
                .spawn(|| self.hop(method, url, body, headers))
                .join()
                .unwrap_or_else(|_| {
                    Err(LowcodeError::Http(format!(
                        "`{url}`: the request thread failed"
                    )))
                })
        })
    }

    fn hop(
        &self,
        method: &Method,
        url: &Url,
        body: &Body,
        headers: &HeaderMap,
    ) -> Result<Hop, LowcodeError> {
        let response = self.send_once(method, url, body, headers)?;
        match redirect_target(&response, url) {
            Some(to) => Ok(Hop::Redirect {
                to,
                status: response.status(),
            }),
            None => self.read(response, url).map(Hop::Done),
        }
    }

    fn send_once(
        &self,
        method: &Method,
        url: &Url,
        body: &Body,
        headers: &HeaderMap,
    ) -> Result<Response, LowcodeError> {
        let remaining = self
            .deadline
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
            .ok_or(LowcodeError::Timeout)?;
        let mut request = client()?
            .request(method.clone(), url.clone())
            .timeout(remaining)
            .headers(headers.clone());
        if let Some(cookies) = self.jar.cookies(url) {
            request = request.header(COOKIE, cookies);
        }
        request = match body {
            Body::Empty => request,
            Body::Json(json) => request.json(json),
            Body::Form(pairs) => request.form(pairs),
        };
        let response = request.send().map_err(|err| self.failure(url, &err))?;
        self.jar
            .set_cookies(&mut response.headers().get_all(SET_COOKIE).iter(), url);
        Ok(response)
    }

    /// The response as the script sees it: `#{status, body, headers, url}`.
    fn read(&self, response: Response, url: &Url) -> Result<Dynamic, LowcodeError> {
        let limit = self.max_response_bytes;
        if response
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(LowcodeError::Limit(LimitKind::ResponseSize));
        }
        let status = INT::from(response.status().as_u16());
        let headers = response_headers(response.headers());
        let mut bytes = Vec::new();
        response
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|err| {
                if err.kind() == std::io::ErrorKind::TimedOut || Instant::now() >= self.deadline {
                    LowcodeError::Timeout
                } else {
                    LowcodeError::Http(format!("reading `{url}`: {err}"))
                }
            })?;
        if bytes.len() > limit {
            return Err(LowcodeError::Limit(LimitKind::ResponseSize));
        }
        let mut map = ScriptMap::new();
        map.insert("status".into(), status.into());
        map.insert("body".into(), decode(bytes).into());
        map.insert("headers".into(), headers.into());
        map.insert("url".into(), url.to_string().into());
        Ok(map.into())
    }

    fn failure(&self, url: &Url, err: &reqwest::Error) -> LowcodeError {
        if err.is_timeout() || Instant::now() >= self.deadline {
            return LowcodeError::Timeout;
        }
        let mut reason = format!("`{url}`");
        let mut source: Option<&dyn std::error::Error> = Some(err);
        while let Some(cause) = source {
            reason.push_str(": ");
            reason.push_str(&cause.to_string());
            source = cause.source();
        }
        LowcodeError::Http(reason)
    }
}

/// One client for the process: it holds the connection pool and TLS roots
/// and is never dropped (dropping a blocking client inside an async runtime
/// panics). Cookies are not kept here but in each run's jar.
fn client() -> Result<&'static Client, LowcodeError> {
    static CLIENT: OnceLock<Result<Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .user_agent(concat!("fluxo-lowcode/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|err| err.to_string())
        })
        .as_ref()
        .map_err(|err| LowcodeError::Http(format!("cannot start the HTTP client: {err}")))
}

fn redirect_target(response: &Response, url: &Url) -> Option<Url> {
    if !response.status().is_redirection() {
        return None;
    }
    let location = response.headers().get(LOCATION)?.to_str().ok()?;
    url.join(location).ok()
}

fn origin(url: &Url) -> (Option<&str>, Option<u16>) {
    (url.host_str(), url.port_or_known_default())
}

fn header_map(headers: &ScriptMap) -> Result<HeaderMap, Box<rhai::EvalAltResult>> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| script_error(format!("`{name}` is not a valid header name")))?;
        let value = HeaderValue::from_str(&value.to_string())
            .map_err(|_| script_error(format!("the value of header `{name}` is not valid")))?;
        map.append(header, value);
    }
    Ok(map)
}

/// Response headers by lower-case name; repeated headers joined with ", ".
fn response_headers(headers: &HeaderMap) -> ScriptMap {
    let mut map = ScriptMap::new();
    for name in headers.keys() {
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .collect();
        map.insert(name.as_str().into(), values.join(", ").into());
    }
    map
}

/// Pages are UTF-8 or, on older portals, Latin-1; bytes that are not valid
/// UTF-8 are read as Latin-1, which decodes any byte string.
fn decode(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|err| {
        err.into_bytes()
            .iter()
            .map(|&byte| char::from(byte))
            .collect()
    })
}

/// The hosts a run may reach; see [`LowcodeConfig::allowed_hosts`].
struct AllowList(Vec<HostPattern>);

struct HostPattern {
    /// Lower-case host; IPv6 addresses keep their brackets, as `Url` prints them.
    host: String,
    port: Option<u16>,
}

impl AllowList {
    fn new(patterns: &[String]) -> AllowList {
        AllowList(
            patterns
                .iter()
                .map(|pattern| HostPattern::parse(pattern))
                .collect(),
        )
    }

    fn check(&self, url: &Url) -> Result<(), LowcodeError> {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let port = url.port_or_known_default();
        if self.0.iter().any(|pattern| pattern.matches(&host, port)) {
            Ok(())
        } else {
            Err(LowcodeError::HostNotAllowed(match port {
                Some(port) => format!("{host}:{port}"),
                None => host,
            }))
        }
    }
}

impl HostPattern {
    fn parse(pattern: &str) -> HostPattern {
        let pattern = pattern.trim().to_ascii_lowercase();
        let split = match pattern.rfind(':') {
            // A colon inside brackets belongs to an IPv6 address.
            Some(colon) if !pattern[colon..].contains(']') => pattern[colon + 1..]
                .parse()
                .ok()
                .map(|port| (pattern[..colon].to_string(), port)),
            _ => None,
        };
        match split {
            Some((host, port)) => HostPattern {
                host,
                port: Some(port),
            },
            None => HostPattern {
                host: pattern,
                port: None,
            },
        }
    }

    fn matches(&self, host: &str, port: Option<u16>) -> bool {
        let host_matches = match self.host.strip_prefix("*.") {
            Some(domain) => host
                .strip_suffix(domain)
                .is_some_and(|rest| rest.ends_with('.')),
            None => self.host == host,
        };
        host_matches && self.port.is_none_or(|allowed| Some(allowed) == port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(patterns: &[&str], url: &str) -> bool {
        let list = AllowList::new(&patterns.iter().map(|p| p.to_string()).collect::<Vec<_>>());
        list.check(&Url::parse(url).unwrap()).is_ok()
    }

    #[test]
    fn host_patterns() {
        assert!(allows(
            &["portal.example.com"],
            "https://portal.example.com/login"
        ));
        assert!(allows(
            &["Portal.Example.com"],
            "http://PORTAL.example.com:8080/"
        ));
        assert!(!allows(
            &["portal.example.com"],
            "https://evil.example.com/"
        ));
        assert!(!allows(&["example.com"], "https://portal.example.com/"));
        assert!(allows(&["127.0.0.1:8080"], "http://127.0.0.1:8080/x"));
        assert!(!allows(&["127.0.0.1:8080"], "http://127.0.0.1:8081/x"));
        assert!(allows(
            &["portal.example.com:443"],
            "https://portal.example.com/"
        ));
        assert!(allows(&["*.example.com"], "https://a.b.example.com/"));
        assert!(!allows(&["*.example.com"], "https://example.com/"));
        assert!(!allows(&["*.example.com"], "https://badexample.com/"));
        assert!(allows(&["[::1]:9000"], "http://[::1]:9000/"));
        assert!(allows(&["[::1]"], "http://[::1]:9000/"));
        assert!(!allows(&[], "http://127.0.0.1/"));
    }

    #[test]
    fn the_refusal_names_host_and_port() {
        let list = AllowList::new(&[]);
        let err = list
            .check(&Url::parse("https://evil.example.com/x").unwrap())
            .unwrap_err();
        assert_eq!(
            err,
            LowcodeError::HostNotAllowed("evil.example.com:443".into())
        );
    }

    #[test]
    fn latin1_pages_are_decoded() {
        assert_eq!(decode(b"Pot\xeancia".to_vec()), "Potência");
        assert_eq!(decode("Potência".as_bytes().to_vec()), "Potência");
    }
}
