"""The login `serve` requires, from --auth, --auth-file or $OFSTED_QA_AUTH: never an empty half."""

from __future__ import annotations

import pytest

from app.credentials import Credentials, read_credentials


def test_user_and_password_are_split_at_the_first_colon():
    login = Credentials.parse("ann:pa:ss word", "--auth")
    assert (login.user, login.password) == ("ann", "pa:ss word")
    assert "pa:ss" not in repr(login)  # a password never lands in a log through a repr


@pytest.mark.parametrize(("text", "message"), [
    ("nopassword", "--auth takes USER:PASSWORD"),
    ("ann:", "the password after the colon is empty"),
    (":secret", "the user name before the colon is empty"),
    ("  :secret", "the user name before the colon is empty"),
])
def test_an_empty_half_is_refused_with_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        Credentials.parse(text, "--auth")


def test_the_flag_wins_then_the_file_then_the_environment(tmp_path):
    file = tmp_path / "login"
    file.write_text("fromfile:pw2\n")
    assert read_credentials("flag:pw1", None, "env:pw3").user == "flag"
    assert read_credentials(None, file, "env:pw3").user == "fromfile"
    assert read_credentials(None, None, "env:pw3").user == "env"
    assert read_credentials(None, None, None) is None


def test_a_bad_file_is_named_with_what_is_wrong(tmp_path):
    with pytest.raises(ValueError, match="cannot be read"):
        read_credentials(None, tmp_path / "absent", None)
    two = tmp_path / "two"
    two.write_text("a:b\nc:d\n")
    with pytest.raises(ValueError, match="needs one line USER:PASSWORD, has 2 lines"):
        read_credentials(None, two, None)
    empty_password = tmp_path / "empty"
    empty_password.write_text("ann:\n")
    with pytest.raises(ValueError, match=f"--auth-file {empty_password}: the password after the colon is empty"):
        read_credentials(None, empty_password, None)


def test_the_environment_value_is_named_in_its_errors():
    with pytest.raises(ValueError, match=r"\$OFSTED_QA_AUTH: the password after the colon is empty"):
        read_credentials(None, None, "ann:")
