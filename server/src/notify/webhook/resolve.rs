//! DNS resolution for webhooks that only hands out addresses the [`AddressPolicy`] permits.
//!
//! The HTTP client resolves a receiver's name through [`CheckedResolver`] at the moment it
//! connects, so a name that pointed to a public address when the webhook was registered and
//! points to `127.0.0.1` now (DNS rebinding) gets no connection: the refused addresses are
//! dropped before the client sees them, and when none is left the attempt fails with
//! [`RefusedAddress`] without any packet sent to the receiver.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use async_trait::async_trait;

use super::address::{is_local_name, literal_ip, AddressPolicy};

/// Most addresses of one name that are tried.
const MAX_ADDRESSES: usize = 16;

/// Looks a host name up. [`SystemLookup`] asks the operating system; tests use fakes.
#[async_trait]
pub trait Lookup: Send + Sync {
    /// The addresses of `host`.
    ///
    /// # Errors
    /// The lookup's IO error.
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<IpAddr>>;
}

/// [`Lookup`] through the operating system's resolver.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemLookup;

#[async_trait]
impl Lookup for SystemLookup {
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<IpAddr>> {
        Ok(tokio::net::lookup_host((host, 0))
            .await?
            .map(|addr| addr.ip())
            .collect())
    }
}

/// The receiver's address is one the policy refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the receiver's address is not allowed")]
pub struct RefusedAddress;

/// Why a name yielded no address to connect to.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// Every address of the name is refused by the policy.
    #[error(transparent)]
    Refused(#[from] RefusedAddress),
    /// The name could not be resolved.
    #[error("name lookup failed")]
    Lookup(#[source] std::io::Error),
}

/// A resolver that filters what it resolves through an [`AddressPolicy`].
#[derive(Clone)]
pub struct CheckedResolver {
    lookup: Arc<dyn Lookup>,
    policy: AddressPolicy,
}

impl std::fmt::Debug for CheckedResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckedResolver")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl CheckedResolver {
    /// A resolver over `lookup` that keeps only the addresses `policy` permits.
    pub fn new(lookup: Arc<dyn Lookup>, policy: AddressPolicy) -> Self {
        Self { lookup, policy }
    }

    /// The permitted addresses of `host` (port 0: the client fills in the URL's port).
    ///
    /// # Errors
    /// [`ResolveError::Refused`] when the name is local or every address it resolves to is
    /// refused; [`ResolveError::Lookup`] when it does not resolve.
    pub async fn resolve_checked(&self, host: &str) -> Result<Vec<SocketAddr>, ResolveError> {
        if let Some(ip) = literal_ip(host) {
            return if self.policy.permits(ip) {
                Ok(vec![SocketAddr::new(ip, 0)])
            } else {
                Err(RefusedAddress.into())
            };
        }
        if !self.policy.allow_internal && is_local_name(host) {
            return Err(RefusedAddress.into());
        }
        let found = self
            .lookup
            .lookup(host)
            .await
            .map_err(ResolveError::Lookup)?;
        if found.is_empty() {
            return Err(ResolveError::Lookup(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no addresses",
            )));
        }
        let permitted: Vec<SocketAddr> = found
            .into_iter()
            .filter(|ip| self.policy.permits(*ip))
            .take(MAX_ADDRESSES)
            .map(|ip| SocketAddr::new(ip, 0))
            .collect();
        if permitted.is_empty() {
            Err(RefusedAddress.into())
        } else {
            Ok(permitted)
        }
    }
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let resolver = self.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            match resolver.resolve_checked(&host).await {
                Ok(addrs) => Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs),
                // The bare marker, so the transport can tell a refusal from a failed lookup.
                Err(ResolveError::Refused(refused)) => {
                    Err(Box::new(refused) as Box<dyn std::error::Error + Send + Sync>)
                }
                Err(other) => Err(Box::new(other) as Box<dyn std::error::Error + Send + Sync>),
            }
        })
    }
}

/// Whether `err` or one of its causes is a [`RefusedAddress`].
pub fn is_refusal(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(error) = current {
        if error.is::<RefusedAddress>() {
            return true;
        }
        current = error.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// Answers every name with fixed addresses and records what was asked.
    struct FakeLookup {
        answer: Vec<IpAddr>,
        asked: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl Lookup for FakeLookup {
        async fn lookup(&self, host: &str) -> std::io::Result<Vec<IpAddr>> {
            self.asked.lock().unwrap().push(host.to_owned());
            Ok(self.answer.clone())
        }
    }

    fn resolver(answer: &[&str], policy: AddressPolicy) -> (CheckedResolver, Arc<FakeLookup>) {
        let lookup = Arc::new(FakeLookup {
            answer: answer.iter().map(|a| a.parse().unwrap()).collect(),
            asked: Mutex::default(),
        });
        (CheckedResolver::new(lookup.clone(), policy), lookup)
    }

    #[tokio::test]
    async fn a_public_name_that_resolves_to_loopback_is_refused() {
        let (resolver, lookup) = resolver(&["127.0.0.1", "::1"], AddressPolicy::default());
        let result = resolver.resolve_checked("hooks.example.org").await;
        assert!(
            matches!(result, Err(ResolveError::Refused(_))),
            "{result:?}"
        );
        assert_eq!(*lookup.asked.lock().unwrap(), vec!["hooks.example.org"]);
    }

    #[tokio::test]
    async fn only_permitted_addresses_are_handed_out() {
        let (resolver, _) = resolver(
            &[
                "169.254.169.254",
                "93.184.215.14",
                "::ffff:10.0.0.1",
                "2606:4700::1",
            ],
            AddressPolicy::default(),
        );
        let addrs = resolver.resolve_checked("hooks.example.org").await.unwrap();
        let ips: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
        assert_eq!(ips, vec!["93.184.215.14", "2606:4700::1"]);
        assert!(addrs.iter().all(|a| a.port() == 0));
    }

    #[tokio::test]
    async fn local_names_and_literals_are_refused_without_a_lookup() {
        let (resolver, lookup) = resolver(&["93.184.215.14"], AddressPolicy::default());
        for host in [
            "localhost",
            "x.localhost",
            "127.0.0.1",
            "[::1]",
            "::ffff:127.0.0.1",
        ] {
            let result = resolver.resolve_checked(host).await;
            assert!(matches!(result, Err(ResolveError::Refused(_))), "{host}");
        }
        assert!(lookup.asked.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn internal_receivers_pass_when_allowed() {
        let (resolver, _) = resolver(&["127.0.0.1"], AddressPolicy::ALLOW_INTERNAL);
        let addrs = resolver.resolve_checked("receiver.test").await.unwrap();
        assert_eq!(addrs, vec!["127.0.0.1:0".parse().unwrap()]);
    }

    #[tokio::test]
    async fn the_http_client_never_connects_to_a_refused_address() {
        // A listener on loopback that records whether anything connected.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (resolver, _) = resolver(&["127.0.0.1"], AddressPolicy::default());
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(resolver))
            .no_proxy()
            .build()
            .unwrap();
        let error = client
            .post(format!("http://rebound.example:{port}/hook"))
            .send()
            .await
            .unwrap_err();
        assert!(is_refusal(&error), "{error:?}");
        let accepted = tokio::time::timeout(std::time::Duration::ZERO, listener.accept()).await;
        assert!(accepted.is_err(), "nothing connected to the listener");
    }
}
