"""`board`: the view for the people who review contracts and claims — a static site built from the shared main
and the claim branches (collect.py gathers, render.py writes HTML, pure; site.py writes it to a folder or
serves it on 127.0.0.1)."""
