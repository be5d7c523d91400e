"""Files on disk: the .contracts layout, atomic writes, locked appends, shard tails."""
