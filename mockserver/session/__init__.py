"""The session layer: one connection's protocol, with no I/O and no clock of its own.

`base.Session` (dispatch, the output lanes, errors, `session.update` / `session.finish`),
`listening.ListeningSession` (audio in, VAD, the user's side of the conversation),
`audio_config` (input and output rates and formats), `family.Family` (the record a family is
made of) and `registry.FamilyRegistry`. It sits above protocol facts, media, answers and
responses, and below the families.
"""
