//! `--reminder-hour` and `--digest-hour`: hours of the day in Dutch time, 8 by default, 0–23.

use clap::Parser;

use super::{Cli, Command};

fn hours(args: &[&str]) -> Result<(u32, u32), clap::Error> {
    let cli = Cli::try_parse_from(["polder", "serve"].iter().chain(args))?;
    match cli.command {
        Command::Serve(serve) => {
            let scheduler = serve.into_config().scheduler;
            Ok((scheduler.reminder_hour, scheduler.digest_hour))
        }
        _ => panic!("not serve"),
    }
}

#[test]
fn reminder_and_digest_hours_default_to_eight_and_are_hours_of_a_day() {
    assert_eq!(hours(&[]).unwrap(), (8, 8));
    assert_eq!(
        hours(&["--reminder-hour", "7", "--digest-hour", "0"]).unwrap(),
        (7, 0)
    );
    assert_eq!(hours(&["--digest-hour", "23"]).unwrap(), (8, 23));
    assert!(hours(&["--reminder-hour", "24"]).is_err());
    assert!(hours(&["--digest-hour", "-1"]).is_err());
}
