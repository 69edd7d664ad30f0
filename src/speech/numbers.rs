//! Numbers and codes as the voice pack's digit and unit clips, the way queue announcers read them.
