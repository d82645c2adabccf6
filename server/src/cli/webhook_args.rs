//! `polder serve` flags for outbound webhooks: the address policy and the delivery worker.

use std::time::Duration;

use clap::Args;

/// Outbound webhooks.
#[derive(Args)]
pub(super) struct WebhookArgs {
    /// Allow webhook receivers on internal addresses (loopback, private, link-local,
    /// unique-local, …); off by default.
    #[arg(long, env = "POLDER_WEBHOOK_ALLOW_INTERNAL")]
    webhook_allow_internal: bool,
    /// Most webhook deliveries in flight at once.
    #[arg(long, env = "POLDER_WEBHOOK_CONCURRENCY", default_value_t = 16)]
    webhook_concurrency: usize,
    /// Most webhook deliveries in flight per webhook.
    #[arg(long, env = "POLDER_WEBHOOK_PER_RECEIVER", default_value_t = 2)]
    webhook_per_receiver: usize,
    /// Seconds one webhook attempt may take (connect, send, response headers).
    #[arg(long, env = "POLDER_WEBHOOK_TIMEOUT_SECS", default_value_t = 5)]
    webhook_timeout_secs: u64,
}

impl WebhookArgs {
    pub(super) fn apply(self, settings: &mut crate::scheduler::SchedulerSettings) {
        settings.webhook.allow_internal = self.webhook_allow_internal;
        settings.webhook.concurrency = self.webhook_concurrency.clamp(1, 1024);
        settings.webhook.per_receiver = self.webhook_per_receiver.clamp(1, 64);
        settings.webhook_retry.attempt_timeout =
            Duration::from_secs(self.webhook_timeout_secs.clamp(1, 120));
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::scheduler::SchedulerSettings;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        webhooks: WebhookArgs,
    }

    fn settings(args: &[&str]) -> SchedulerSettings {
        let mut settings = SchedulerSettings::default();
        Cli::try_parse_from(std::iter::once("polder").chain(args.iter().copied()))
            .unwrap()
            .webhooks
            .apply(&mut settings);
        settings
    }

    #[test]
    fn internal_receivers_are_off_by_default_and_limits_are_clamped() {
        let default = settings(&[]);
        assert!(!default.webhook.allow_internal);
        assert_eq!(default.webhook.concurrency, 16);
        assert_eq!(default.webhook.per_receiver, 2);
        assert_eq!(
            default.webhook_retry.attempt_timeout,
            Duration::from_secs(5)
        );

        let set = settings(&[
            "--webhook-allow-internal",
            "--webhook-concurrency",
            "0",
            "--webhook-per-receiver",
            "1000",
            "--webhook-timeout-secs",
            "3",
        ]);
        assert!(set.webhook.allow_internal);
        assert_eq!(set.webhook.concurrency, 1);
        assert_eq!(set.webhook.per_receiver, 64);
        assert_eq!(set.webhook_retry.attempt_timeout, Duration::from_secs(3));
    }
}
