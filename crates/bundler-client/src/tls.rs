//! TLS for `https://` endpoints: rustls with the `ring` crypto provider (feature `rustls`, on by
//! default; pure Rust and C built with the C toolchain, no cmake).

/// Installs rustls' `ring` crypto provider as the process default, unless one is installed
/// already (by the application or an earlier call). [`HttpTransport::new`](crate::HttpTransport::new)
/// calls it; call it yourself before building your own `reqwest::Client` for
/// [`HttpTransport::with_client`](crate::HttpTransport::with_client) (reqwest needs a provider
/// installed). Without the `rustls` feature it does nothing.
pub fn install_tls_provider() {
    #[cfg(feature = "rustls")]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // Err: the application installed its own provider first, which is then used.
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
    }
}
