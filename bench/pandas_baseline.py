#!/usr/bin/env python3
"""The obvious vectorised pandas script a data engineer would write instead of the warehouse (issue 6's baseline).

Reads the HTTP log and the campaign/reward mapping, sessionizes (5-minute gap, a gap of exactly the threshold starts a
session), and builds the campaign report: per session the distinct campaigns viewed, the rewards issued, and whether a
reward was driven by a view of a campaign containing it at or before the issue. Prints the session count, the
reward-driven session count and the seconds taken, as one JSON line, so `warehouse bench --with-pandas` can compare.

Usage: /usr/bin/python3 bench/pandas_baseline.py DIR   (DIR holds http_log.txt and campaign_reward_mapping.csv)
"""
import json
import sys
import time

import pandas as pd

GAP = pd.Timedelta(seconds=300)


def main(folder: str) -> None:
    started = time.perf_counter()
    log = pd.read_csv(f"{folder}/http_log.txt", sep=" ", header=None, names=["ts", "method", "path", "user_id"],
                      dtype=str, on_bad_lines="skip", engine="c")
    log["event_at"] = pd.to_datetime(log["ts"], utc=True, errors="coerce")
    log = log.dropna(subset=["event_at", "user_id", "path", "method"])
    log["line"] = log.index
    log = log.sort_values(["user_id", "event_at", "line"], kind="stable")
    gap = log.groupby("user_id", sort=False)["event_at"].diff()
    log["session"] = (gap.isna() | (gap >= GAP)).cumsum()

    parts = log["path"].str.extract(r"^/(campaigns|rewards)/(\d+)$")
    log["campaign_id"] = parts[1].where((parts[0] == "campaigns") & (log["method"] == "GET"))
    log["reward_id"] = parts[1].where((parts[0] == "rewards") & (log["method"] == "POST"))

    mapping = pd.read_csv(f"{folder}/campaign_reward_mapping.csv", dtype=str).drop_duplicates()
    views = log.dropna(subset=["campaign_id"])[["session", "campaign_id", "event_at"]]
    rewards = log.dropna(subset=["reward_id"])[["session", "reward_id", "event_at"]]
    pairs = rewards.merge(mapping, on="reward_id").merge(views, on=["session", "campaign_id"], suffixes=("_reward", "_view"))
    driven = pairs.loc[pairs["event_at_view"] <= pairs["event_at_reward"], "session"].unique()

    sessions = log.groupby("session", sort=False).agg(user_id=("user_id", "first"), session_start=("event_at", "min"),
                                                       session_end=("event_at", "max"))
    sessions["campaigns"] = views.drop_duplicates(["session", "campaign_id"]).groupby("session")["campaign_id"].agg(list)
    sessions["rewards_issued"] = rewards.drop_duplicates(["session", "reward_id"]).groupby("session")["reward_id"].agg(list)
    sessions["reward_driven_by_campaign_view"] = sessions.index.isin(driven)

    print(json.dumps({
        "sessions": int(len(sessions)),
        "reward_driven_sessions": int(sessions["reward_driven_by_campaign_view"].sum()),
        "seconds": round(time.perf_counter() - started, 3),
    }))


if __name__ == "__main__":
    main(sys.argv[1])
