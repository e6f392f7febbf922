//! Polls open and close.

use super::*;

#[test]
fn polls_open_and_close_once_each() {
    let mut fx = Fx::hk();
    assert_eq!(fx.err_as(close(None), CHAIR), RuleViolation::NoOpenPoll);
    assert_eq!(
        fx.err_as(close(Some("1")), CHAIR),
        RuleViolation::PollNotOpen { resolution: r("1") }
    );
    assert_eq!(
        fx.err_as(open(Some("9")), CHAIR),
        RuleViolation::UnknownResolution { resolution: r("9") }
    );
    fx.ok_as(open(Some("1")), CHAIR);
    assert!(fx.m.poll_opened(&r("1")) && !fx.m.poll_opened(&r("2")));
    assert_eq!(
        fx.err_as(open(Some("1")), CHAIR),
        RuleViolation::PollAlreadyOpened { resolution: r("1") }
    );
    fx.ok_as(open(None), CHAIR); // opens 2, the one not yet opened
    assert_eq!(fx.err_as(open(None), CHAIR), RuleViolation::NothingToOpen);
    fx.ok_as(close(Some("1")), CHAIR);
    assert_eq!(
        fx.err_as(close(Some("1")), CHAIR),
        RuleViolation::PollAlreadyClosed { resolution: r("1") }
    );
    assert_eq!(
        fx.err_as(open(Some("1")), CHAIR),
        RuleViolation::PollAlreadyClosed { resolution: r("1") },
        "a closed poll never reopens"
    );
    assert!(!fx.m.all_polls_closed());
    fx.ok_as(close(None), CHAIR);
    assert!(fx.m.all_polls_closed() && fx.m.poll_closed(&r("2")));
    // A resolution proposed later has its own poll.
    fx.ok(Event::ResolutionProposed(resolution(
        "3",
        ResolutionKind::Ordinary,
    )));
    assert!(!fx.m.all_polls_closed());
    fx.ok_as(open(None), CHAIR);
}

#[test]
fn ballots_only_while_the_poll_is_open() {
    let mut fx = Fx::hk();
    assert_eq!(
        fx.err(vote(vh("A"), "1", split(1, 0, 0))),
        RuleViolation::BallotBeforePoll {
            voter: vh("A"),
            resolution: r("1")
        }
    );
    assert_eq!(
        fx.err(vote(vh("A"), "9", split(1, 0, 0))),
        RuleViolation::UnknownResolution { resolution: r("9") }
    );
    fx.ok_as(open(Some("1")), CHAIR);
    fx.ok(vote(vh("A"), "1", split(1, 0, 0)));
    fx.ok_as(close(Some("1")), CHAIR);
    assert_eq!(
        fx.err(vote(vh("B"), "1", split(1, 0, 0))),
        RuleViolation::BallotAfterPoll {
            voter: vh("B"),
            resolution: r("1")
        }
    );
}
