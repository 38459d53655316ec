"""tweepy 4.x: Paginator(client.search_recent_tweets, q, max_results=...) written to JSONL.

tweepy.Client has no base-URL option: its request() hard-codes https://api.twitter.com. We give the
client a requests.Session subclass that rewrites that one prefix to the emulator's URL and changes
nothing else (same keep-alive session, same headers, same tweepy parsing into Tweet objects).
Run with Debian's /usr/bin/python3 (python3-tweepy). Argument: one JSON object (see common.ts).
"""
import json
import os
import sys
import time

import requests
import tweepy

TWEET_FIELDS = ["created_at", "author_id", "conversation_id", "lang", "public_metrics",
                "referenced_tweets", "entities"]
REAL_HOST = "https://api.twitter.com"


class RedirectingSession(requests.Session):
    def __init__(self, base):
        super().__init__()
        self.base = base.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if url.startswith(REAL_HOST):
            url = self.base + url[len(REAL_HOST):]
        return super().request(method, url, *args, **kwargs)


def main():
    args = json.loads(sys.argv[1])
    client = tweepy.Client(bearer_token=args["token"], wait_on_rate_limit=True)
    client.session = RedirectingSession(args["url"])
    kwargs = {"tweet_fields": TWEET_FIELDS, "expansions": ["author_id"]}
    if args.get("maxResults") is not None:
        kwargs["max_results"] = args["maxResults"]
    posts = 0
    with open(args["out"], "w", encoding="utf-8") as out:
        for response in tweepy.Paginator(client.search_recent_tweets, args["query"], **kwargs):
            users = {u.id: u.data for u in (response.includes or {}).get("users", [])}
            for tweet in response.data or []:
                row = dict(tweet.data)
                row["_author"] = users.get(tweet.author_id)
                out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
                posts += 1
        # The output on disk before the run counts as done, as for every contender (common.ts fsyncFile).
        out.flush()
        started = time.perf_counter()
        os.fsync(out.fileno())
        fsync_ms = (time.perf_counter() - started) * 1000
    print(json.dumps({"posts": posts, "fsync_ms": fsync_ms}))


if __name__ == "__main__":
    main()
