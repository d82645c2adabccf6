//! `polder audit verify`: checks the audit log's hash chain.

use anyhow::bail;

/// Verifies the hash chain and prints how many entries it holds.
///
/// # Errors
/// Naming the first bad entry when the chain is broken, or when storage fails.
pub async fn verify(database_url: &str) -> anyhow::Result<()> {
    let storage = super::open(database_url).await?;
    let chain = storage.audit_chain().await?;
    match crate::domain::audit_chain::verify(&chain) {
        Ok(count) => {
            println!("audit log intact: {count} entries verified");
            Ok(())
        }
        Err(broken) => bail!("audit log tampered with: {broken}"),
    }
}
