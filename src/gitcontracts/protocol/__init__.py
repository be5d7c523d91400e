"""The contract-net protocol (SPEC 6) over git: claims, bids, awards, offers, work, settle, status."""
