"""English texts."""

TEXTS: dict[str, str] = {
    # answers
    "about": "(about: {subject})",
    "incomplete": "Could you ask the whole question? e.g. “{example}”",
    "which_talks": "Which talks do you mean? Say where or when, e.g. “{example}”",
    "as_of": "As of {date}:",
    "sources": "Sources",
    "coverage": "My reports run from {first} to {last}.",
    "no_answer": (
        "My sources don't cover that. {covers}; try /sources to see what the library holds."
    ),
    "not_in_reports": "The reports I have don't say. The closest is “{title}” ({source}, {date}).",
    "reviewed": "Reviewed answer (corrected by a moderator on {date}).",
    "reviewed_badge": "✓ Checked by a moderator",
    "reported_on": "reported {date}",
    "earlier_report": "an earlier report ({date}) said: {text}",
    "empty_question": "Please ask a question in words.",
    "too_long": "That question is too long ({length} characters; the limit is {limit}).",
    "status_question": "What is the latest on the peace talks?",
    "track_status_question": "What is the latest on {track}?",
    # the library and its tracks
    "sources_summary": "The library holds {articles} articles from {outlets} outlets, "
    "published {first} to {last}:",
    "empty_library": "The library is empty: no articles have been ingested yet.",
    "tracks_heading": "Negotiations in the library ({count}):",
    "track_line": "• {name} [{id}] — {reports} reports, newest {newest}: {title}",
    "track_range": "• {name} [{id}] — {reports} reports, {first} to {last}",
    "status_hint": "Send /status <track> for the latest on one of them.",
    "unknown_track": "No negotiation in the library matches “{asked}”. Known: {known}.",
    "stats": "Today: {questions} questions, {abstained} unanswered; "
    "feedback: {helpful} helpful, {not_helpful} not helpful, {reported} reported.",
    # Telegram
    "start": (
        "Hello! {description}\n\n"
        "Just write your question. In a group, use /ask, mention me or reply to my message.\n"
        "/status — where the negotiations stand now\n/sources — what my library covers\n"
        "/help — how to use me"
    ),
    "help": (
        "Ask me anything about the negotiations in my library, e.g. “{example}”\n\n"
        "/ask <question> — ask (in groups)\n/status — each negotiation and its newest report\n"
        "/status <track> — the latest on one negotiation\n"
        "/sources — outlets and dates my library covers\n"
        "/follow [track] — a note here when new reports arrive; /unfollow, /following\n"
        "/digest on — one message a day instead\n\n"
        "Every answer lists its sources. If the library does not say, I tell you so. "
        "Use the buttons under an answer to tell us whether it helped."
    ),
    "not_text": "Sorry, I can only read text. Please type your question.",
    "empty": "Please write a question, e.g. /ask {example}",
    "slow_down": "You are asking faster than I can keep up — please try again in {seconds} s.",
    "error": "Sorry, something went wrong on my side. Please try again later.",
    "admin_only": "This command is for administrators only.",
    "not_allowed": "Sorry, this bot is not available in this chat.",
    "reindex_started": "Re-indexing: looking for new articles…",
    "reindex_busy": "Re-indexing is already running.",
    "button_helpful": "👍 Helpful",
    "button_not_helpful": "👎 Not helpful",
    "button_report": "⚠️ Report a problem",
    "thanks_button": "✓ Thanks for your feedback",
    "vote_changed": "Your vote is changed — thank you!",
    "thanks_vote": "Thank you for your feedback!",
    "report_what": "What is wrong with this answer? Reply to this message in a few words.",
    "report_noted": "Thank you — your note is with the report.",
    "thanks_report": "Thank you — a moderator will look at this answer.",
    "already_recorded": "Your feedback is already recorded.",
    "command_ask": "Ask a question",
    "command_status": "Where the negotiations stand now",
    "command_sources": "Outlets and dates the library covers",
    "command_help": "How to use the bot",
    "command_start": "What this bot does",
    "command_follow": "Get a note when new reports arrive",
    "command_unfollow": "Stop the notes",
    "command_following": "What this chat follows",
    "follow_all": "This chat now follows every negotiation: a short note comes when new reports "
    "arrive. /unfollow stops it.",
    "follow_track": "This chat now follows {track}: a short note comes when new reports arrive. "
    "/unfollow {id} stops it.",
    "unfollow_all": "This chat no longer follows anything.",
    "unfollow_track": "This chat no longer follows {track}.",
    "unfollow_missing": "This chat does not follow {track}. /following shows what it follows.",
    "following_none": "This chat follows nothing. /follow for every negotiation, "
    "/follow <track> for one (/status lists them).",
    "following_heading": "This chat follows:",
    "following_all": "• every negotiation",
    "following_line": "• {track} [{id}]",
    "follow_admins_only": "In a group, only its administrators can change what it follows.",
    "alert_heading": "🔔 New on {track}, as of {date}:",
    "alert_more": "And {more} more: /status {id}",
    "alert_button": "Ask what's new",
    "command_digest": "One message a day instead of alerts",
    "digest_is_off": "Daily digest: off. Alerts come as reports arrive. /digest on [HH:MM] sends "
    "one message a day instead (at {time} UTC unless you name a time).",
    "digest_is_on": "Daily digest: on, at {time} UTC. Alerts come only in the digest, once a day, "
    "when there is news on what this chat follows. /digest off sends them as reports arrive.",
    "digest_on": "Daily digest on: at {time} UTC this chat gets one message with what is new on "
    "what it follows, instead of an alert per report. /digest off turns it off.",
    "digest_off": "Daily digest off: alerts come as reports arrive again.",
    "digest_was_off": "The daily digest was not on: alerts come as reports arrive.",
    "digest_usage": "/digest shows the setting; /digest on [HH:MM] (UTC) or /digest off "
    "changes it.",
    "digest_bad_time": "“{asked}” is not a time of day: /digest on HH:MM (UTC, 00:00 to 23:59), "
    "for example /digest on 07:30.",
    "digest_follows_nothing": "This chat follows nothing yet: /follow for every negotiation.",
    "digest_heading": "📰 Daily digest, {date}",
    "digest_more": "More news (/status <track>): {ids}",
    "digest_button": "{track}: what's new?",
}
