"""Call members, interpreters and teams in the store, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from tests.store.conftest import T0

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"


def test_members_are_listed_with_join_and_leave_times_and_interpreter_minutes_add_up(store):
    store.member_joined("c1", "m0", "kiosk-1", "kiosk", None, T0)
    store.member_joined("c1", "m1", "aino", "clerk", None, T0)
    store.member_joined("c1", "m2", "hodan", "interpreter", "so", T0 + 60)
    store.member_joined("c1", "m2", "hodan", "interpreter", "so", T0 + 99)  # repeat: no change
    store.member_left("c1", "m2", T0 + 60 + 300, "left")
    store.member_left("c1", "m2", T0 + 999, "dropped")  # the first leave counts
    store.member_joined("c2", "m2", "hodan", "interpreter", "so", T0 + 1000)
    store.member_left("c2", "m2", T0 + 1000 + 90, "hangup")
    store.member_joined("c3", "m3", "olga", "interpreter", "ru", T0 + 2000)  # still in it
    members = store.call_members("c1")
    assert [(m.member_id, m.role, m.joined_at, m.left_at, m.leave_reason) for m in members] == [
        ("m0", "kiosk", T0, None, None),
        ("m1", "clerk", T0, None, None),
        ("m2", "interpreter", T0 + 60, T0 + 360, "left"),
    ]
    minutes = store.interpreter_minutes(T0, T0 + 2060)
    assert minutes == {"so": 6.5, "ru": 1.0}
    assert store.interpreter_minutes(T0 + 5000, T0 + 6000) == {}


def test_staff_profiles_keep_team_supervisor_and_interpretation_languages(store):
    for user in ("hodan", "eeva"):
        store.create_account(user, user.title(), "agent", HASH, [], now=T0)
    hodan = next(a for a in store.accounts() if a.username == "hodan").id
    eeva = next(a for a in store.accounts() if a.username == "eeva").id
    store.set_staff_profile(hodan, team=None, interpretation_languages=["so", "ar", "so"])
    store.set_staff_profile(eeva, team="kela-north", supervisor=True)
    assert store.staff_profile(hodan).interpretation_languages == {"so", "ar"}
    assert store.staff_profile(hodan).team is None
    boss = store.staff_profile(eeva)
    assert (boss.team, boss.supervisor, boss.interpretation_languages) == (
        "kela-north", True, frozenset())
    store.set_staff_profile(eeva, team=None)
    assert store.staff_profile(eeva).supervisor is False


def test_admin_sets_a_profile_refuses_unknown_languages_and_audits(store):
    import pytest

    from signaling import admin

    store.create_account("hodan", "Hodan", "agent", HASH, [], now=T0)
    with pytest.raises(admin.AdminError, match="klingon"):
        admin.set_staff_profile(store, "cli", "hodan", team=None, supervisor=False,
                                interprets=["so", "klingon"], now=T0)
    with pytest.raises(admin.AdminError, match="team"):
        admin.set_staff_profile(store, "cli", "hodan", team=None, supervisor=True,
                                interprets=[], now=T0)
    account_id = admin.set_staff_profile(store, "cli", "hodan", team=None, supervisor=False,
                                         interprets=["so", "fi-sign"], now=T0)
    assert store.staff_profile(account_id).interpretation_languages == {"so", "fi-sign"}
    (line,) = [a for a in store.audit_log() if a.action == "staff_profile_set"]
    assert line.subject == account_id


def test_a_supervisors_mode_is_kept_with_the_member_until_they_leave(store):
    store.member_joined("c1", "m1", "aino", "clerk", None, T0)
    store.member_joined("c1", "m2", "eeva", "supervisor", None, T0 + 5, mode="whisper")
    assert [(m.member_id, m.mode) for m in store.call_members("c1")] == [
        ("m1", None), ("m2", "whisper")]
    store.set_member_mode("c1", "m2", "barge")
    assert store.call_members("c1")[1].mode == "barge"
    store.member_left("c1", "m2", T0 + 60, "left")
    store.set_member_mode("c1", "m2", "listen")  # after leaving: the record stays as it was
    assert store.call_members("c1")[1].mode == "barge"
