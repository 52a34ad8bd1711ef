"""The moderators' review desk: a server-rendered web app over the log store."""
