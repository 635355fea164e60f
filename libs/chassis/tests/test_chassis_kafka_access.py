"""One description of a Kafka connection, read from settings, files and the environment."""

from pathlib import Path

import pytest
from pydantic_settings import SettingsConfigDict

from cerchia_chassis.kafka_access import KafkaAccess, KafkaAccessError
from cerchia_chassis.kafka_node import ensure_broker_tls
from cerchia_chassis.settings import ServiceSettings

pytestmark = pytest.mark.unit


class ProbeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROBE_", extra="ignore", frozen=True)

    service_name: str = "probe"
    signing_key_file: Path | None = None


def test_a_client_configuration_round_trips_through_kafka_s_properties_format(
    tmp_path: Path,
) -> None:
    ca = ensure_broker_tls(tmp_path, ["localhost"]).ca
    access = KafkaAccess(
        "broker-1:9092,broker-2:9092",
        username="integrator-acme",
        password='p"a\\ss=word',
        ca_file=str(ca),
    )
    text = access.java_properties()
    assert "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule" in text
    assert "ssl.truststore.type=PEM" in text
    assert KafkaAccess.from_properties(text) == access
    assert access.librdkafka()["security.protocol"] == "sasl_ssl"
    assert access.client_kwargs()["sasl_plain_password"] == 'p"a\\ss=word'
    assert "password" not in repr(access)
    with pytest.raises(KafkaAccessError, match="cannot use the Kafka CA file"):
        KafkaAccess("k:9092", username="x", password="y", ca_file="/no").client_kwargs()


def test_sasl_without_a_password_is_refused() -> None:
    with pytest.raises(KafkaAccessError, match="needs a SASL username and password"):
        KafkaAccess("k:9092", username="content")
    with pytest.raises(KafkaAccessError, match="security protocol"):
        KafkaAccess("k:9092", security_protocol="SASL_MAGIC")  # type: ignore[arg-type]


def test_the_tools_read_the_environment_and_files(tmp_path: Path) -> None:
    password = tmp_path / "password"
    password.write_text("s3cret\n", encoding="utf-8")
    access = KafkaAccess.from_environ(
        {
            "CERCHIA_KAFKA_BOOTSTRAP_SERVERS": "kafka:9092",
            "CERCHIA_KAFKA_SASL_USERNAME": "admin",
            "CERCHIA_KAFKA_SASL_PASSWORD_FILE": str(password),
            "CERCHIA_KAFKA_CA_FILE": "/ca.pem",
        }
    )
    assert (access.bootstrap, access.username, access.password) == ("kafka:9092", "admin", "s3cret")
    config = tmp_path / "admin.properties"
    config.write_text(access.java_properties(), encoding="utf-8")
    assert KafkaAccess.from_environ({"CERCHIA_KAFKA_CONFIG": str(config)}) == access
    with pytest.raises(KafkaAccessError, match="not both"):
        KafkaAccess.from_environ(
            {
                "CERCHIA_KAFKA_SASL_PASSWORD": "x",
                "CERCHIA_KAFKA_SASL_PASSWORD_FILE": str(password),
            }
        )


def test_any_setting_can_come_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "kafka-password"
    secret.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("PROBE_KAFKA_SASL_PASSWORD_FILE", str(secret))
    monkeypatch.setenv("PROBE_SIGNING_KEY_FILE", "/keys/signing.pem")  # a path setting stays one
    settings = ProbeSettings()
    assert settings.kafka_sasl_password is not None
    assert settings.kafka_sasl_password.get_secret_value() == "from-a-file"
    assert settings.signing_key_file == Path("/keys/signing.pem")
    access = settings.kafka_access
    assert (access.username, access.password) == ("probe", "from-a-file")
    monkeypatch.setenv("PROBE_KAFKA_SASL_PASSWORD", "from-the-environment")
    with pytest.raises(KafkaAccessError, match="not both"):
        ProbeSettings()


def test_a_missing_secret_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROBE_KAFKA_SASL_PASSWORD_FILE", "/nowhere/password")
    with pytest.raises(KafkaAccessError, match="cannot read /nowhere/password"):
        ProbeSettings()
