"""Foundation behaviour through the real Application and the Bot API stand-in."""

from __future__ import annotations

from bot.devtools.harness import Harness
from bot.devtools.sim import SimUser
from tests.support.db import q
from tests.support.people import ADMIN, GROUP_ID, MEMBER


async def test_start_in_private_speaks_indonesian(h: Harness) -> None:
    calls = await h.sim.send(MEMBER, text="/start")
    sent = [c for c in calls if c.method == "sendMessage"]
    assert len(sent) == 1
    assert "Halo" in sent[0].text and "Budi" in sent[0].text
    assert sent[0].chat_id == MEMBER.id


async def test_bantuan_lists_registered_commands_in_both_locales(h: Harness) -> None:
    calls = await h.sim.send(MEMBER, text="/bantuan")
    text = calls[-1].text
    assert "/bahasa" in text and "/batal" in text
    assert "Ganti bahasa" in text
    await h.sim.send(MEMBER, text="/bahasa en")
    calls = await h.sim.send(MEMBER, text="/help")
    assert "Change the language" in calls[-1].text
    assert "What I can do" in calls[-1].text


async def test_language_switch_by_button_is_stored(h: Harness, db_path) -> None:
    calls = await h.sim.send(MEMBER, text="/bahasa")
    menu = calls[-1]
    assert menu.button_texts() == ["✓ Bahasa Indonesia", "English"]
    calls = await h.sim.press(MEMBER, menu, data="lang:en")
    assert any(c.method == "editMessageText" and "English" in c.text for c in calls)
    calls = await h.sim.send(MEMBER, text="/start")
    assert calls[-1].text.startswith("Hello")
    assert q(db_path, "SELECT locale FROM users WHERE user_id = ?", MEMBER.id) == [("en",)]


async def test_group_language_needs_secretariat(h: Harness) -> None:
    calls = await h.sim.send(MEMBER, GROUP_ID, "/bahasa en")
    assert "sekretariat" in calls[-1].text.lower()
    calls = await h.sim.send(ADMIN, GROUP_ID, "/bahasa en")
    assert "English" in calls[-1].text
    calls = await h.sim.send(MEMBER, GROUP_ID, "/bantuan")
    assert "What I can do" in calls[-1].text


async def test_duplicate_update_is_ignored(h: Harness) -> None:
    first = await h.sim.send(MEMBER, text="/bahasa en", update_id=555)
    assert first
    second = await h.sim.send(MEMBER, text="/bahasa id", update_id=555)
    assert second == []
    calls = await h.sim.send(MEMBER, text="/start")
    assert calls[-1].text.startswith("Hello")  # the duplicate did not switch back


async def test_unknown_command_is_answered_with_a_suggestion(h: Harness) -> None:
    calls = await h.sim.send(MEMBER, text="/bantuann")
    assert "/bantuan" in calls[-1].text and "tidak kenal" in calls[-1].text
    calls = await h.sim.send(MEMBER, GROUP_ID, "/start@SomeOtherBot")
    assert calls == [] or all(c.method != "sendMessage" for c in calls)


async def test_html_in_user_names_is_escaped(h: Harness) -> None:
    evil = SimUser(2001, "<b>Bos</b> & <script>", None, None)
    calls = await h.sim.send(evil, text="/start")
    sent = calls[-1]
    assert sent.error is None
    assert "&lt;b&gt;Bos&lt;/b&gt; &amp; &lt;script&gt;" in sent.text


async def test_group_migration_moves_the_chat_id(h: Harness, db_path) -> None:
    old = -4001
    h.api.add_chat(old, "group", "Klaster lama")
    h.api.set_member(old, ADMIN.json(), "creator")
    await h.sim.send(ADMIN, old, "/bahasa en")
    new = -1009999
    await h.sim.migrate(ADMIN, old, new)
    assert q(db_path, "SELECT locale FROM chats WHERE chat_id = ?", new) == [("en",)]
    assert q(db_path, "SELECT new_chat_id FROM chat_migrations WHERE old_chat_id = ?", old) == [(new,)]


async def test_forbidden_marks_the_user_unreachable(h: Harness, db_path) -> None:
    h.api.fail("sendMessage", "forbidden", chat_id=MEMBER.id)
    await h.sim.send(MEMBER, text="/start")
    assert q(db_path, "SELECT reachable FROM users WHERE user_id = ?", MEMBER.id) == [(False,)]
    assert q(db_path, "SELECT status FROM chats WHERE chat_id = ?", MEMBER.id) == [("unreachable",)]


async def test_retry_after_is_honoured(h: Harness) -> None:
    h.api.fail("sendMessage", "retry_after", chat_id=MEMBER.id, arg=7)
    calls = await h.sim.send(MEMBER, text="/start")
    sends = [c for c in calls if c.method == "sendMessage"]
    assert [c.error is None for c in sends] == [False, True]
    assert h.slept == [7.0]


async def test_chat_migrated_error_retries_at_the_new_id(h: Harness, db_path) -> None:
    new = -1008888
    h.api.fail("sendMessage", "migrate", chat_id=GROUP_ID, arg=new)
    calls = await h.sim.send(MEMBER, GROUP_ID, "/bantuan")
    ok = [c for c in calls if c.method == "sendMessage" and c.error is None]
    assert ok and ok[-1].chat_id == new


async def test_bot_removed_from_group_is_recorded(h: Harness, db_path) -> None:
    await h.sim.member_update(ADMIN, GROUP_ID, "administrator", "left", bot=True)
    assert q(db_path, "SELECT status FROM chats WHERE chat_id = ?", GROUP_ID) == [("removed",)]
    calls = await h.sim.member_update(ADMIN, GROUP_ID, "left", "administrator", bot=True)
    assert "/pasang" in calls[-1].text


async def test_command_menus_set_per_scope_and_language(h: Harness) -> None:
    keys = list(h.api.commands)
    assert len(keys) == 4
    assert any("all_group_chats" in k and k.endswith("|en") for k in keys)


async def test_flooding_user_is_answered_once_politely(h: Harness) -> None:
    replies = []
    for _ in range(30):
        calls = await h.sim.send(MEMBER, text="/start")
        replies += [c.text for c in calls if c.method == "sendMessage"]
    assert len(replies) == 21  # 20 answered, then one polite note, then silence
    assert "terlalu cepat" in replies[-1]
    h.clock.advance(__import__("datetime").timedelta(seconds=11))
    calls = await h.sim.send(MEMBER, text="/start")
    assert calls and "Halo" in calls[-1].text


async def test_help_lists_each_command_once(h: Harness) -> None:
    calls = await h.sim.send(MEMBER, text="/bantuan")
    lines = [line.split(" — ")[0] for line in calls[-1].text.splitlines() if line.startswith("/")]
    assert len(lines) == len(set(lines))
