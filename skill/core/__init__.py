"""What every feature shares: the Coach, session memory, responses, device time, content loading."""
