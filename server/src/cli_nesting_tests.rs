//! `--max-nesting-depth`: its default, its effect and its range.

use clap::Parser;

use super::{Cli, Command};

fn hub_depth(args: &[&str]) -> Result<usize, clap::Error> {
    let cli = Cli::try_parse_from(["polder", "serve"].iter().chain(args))?;
    match cli.command {
        Command::Serve(serve) => Ok(serve.into_config().hub.max_nesting_depth),
        _ => panic!("not serve"),
    }
}

#[test]
fn the_nesting_limit_defaults_to_100_and_is_bounded() {
    assert_eq!(hub_depth(&[]).unwrap(), 100);
    assert_eq!(hub_depth(&["--max-nesting-depth", "40"]).unwrap(), 40);
    assert_eq!(hub_depth(&["--max-nesting-depth", "1000"]).unwrap(), 1000);
    assert!(hub_depth(&["--max-nesting-depth", "1001"]).is_err());
    assert!(hub_depth(&["--max-nesting-depth", "0"]).is_err());
}
