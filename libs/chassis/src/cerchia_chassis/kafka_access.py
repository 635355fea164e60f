"""How a process reaches Kafka: the address, TLS and SASL credentials, in every client's dialect.

One ``KafkaAccess`` describes a principal's connection. It is built from a service's settings
(``ServiceSettings.kafka_access``), from a client configuration file in the format Kafka's own
tools read (``--command-config``; ``from_properties``), or from ``CERCHIA_KAFKA_*`` variables for
the command-line tools (``from_environ``). It renders itself for FastStream (``security``),
aiokafka (``client_kwargs``), librdkafka / kcat / confluent-kafka (``librdkafka``) and Kafka's
Java tools (``java_properties``), so every client of the platform connects the same way.
"""

import argparse
import os
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast, get_args

from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

SecurityProtocol = Literal["SASL_SSL", "SSL", "SASL_PLAINTEXT", "PLAINTEXT"]
SaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"]

#: The environment variables the command-line tools read (each also as ``<NAME>_FILE``).
ENV_PREFIX = "CERCHIA_KAFKA_"
#: A client configuration file (Java properties, as Kafka's tools read) for the command-line tools.
CONFIG_ENV = "CERCHIA_KAFKA_CONFIG"

_JAAS = re.compile(r'(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"')
_JAAS_MODULES = {
    "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule",
}


class KafkaAccessError(ValueError):
    """A connection description that cannot work (say, SASL without a password)."""


@dataclass(frozen=True)
class KafkaAccess:
    """Where the cluster is and how one principal proves who it is.

    ``ca_file`` is the PEM bundle that signs the brokers' certificates (``None``: the system's
    trust store). SASL protocols need ``username`` and ``password``.
    """

    bootstrap: str
    security_protocol: SecurityProtocol = "SASL_SSL"
    sasl_mechanism: SaslMechanism = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None

    def __post_init__(self) -> None:
        if self.security_protocol not in get_args(SecurityProtocol):
            raise KafkaAccessError(f"unknown Kafka security protocol {self.security_protocol!r}")
        if self.sasl and self.sasl_mechanism not in get_args(SaslMechanism):
            raise KafkaAccessError(f"unsupported SASL mechanism {self.sasl_mechanism!r}")
        if self.sasl and not (self.username and self.password):
            raise KafkaAccessError(
                f"Kafka security protocol {self.security_protocol} needs a SASL username and "
                "password (set the *_KAFKA_SASL_USERNAME and *_KAFKA_SASL_PASSWORD[_FILE] settings)"
            )

    @property
    def sasl(self) -> bool:
        """Whether the principal authenticates with SASL."""
        return self.security_protocol.startswith("SASL_")

    @property
    def tls(self) -> bool:
        """Whether the connection is encrypted."""
        return self.security_protocol in ("SSL", "SASL_SSL")

    def as_user(self, username: str, password: str) -> "KafkaAccess":
        """The same cluster and trust, another principal."""
        return replace(self, username=username, password=password)

    def ssl_context(self) -> ssl.SSLContext | None:
        """A client TLS context that verifies the broker's certificate and host name."""
        if not self.tls:
            return None
        try:
            return ssl.create_default_context(cafile=self.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise KafkaAccessError(f"cannot use the Kafka CA file {self.ca_file}: {exc}") from None

    def security(self) -> BaseSecurity | None:
        """FastStream's description of this connection's security."""
        context = self.ssl_context()
        if not self.sasl:
            return BaseSecurity(ssl_context=context, use_ssl=self.tls) if self.tls else None
        username, password = cast(str, self.username), cast(str, self.password)
        kind = {
            "SCRAM-SHA-512": SASLScram512,
            "SCRAM-SHA-256": SASLScram256,
            "PLAIN": SASLPlaintext,
        }[self.sasl_mechanism]
        return kind(username, password, ssl_context=context, use_ssl=self.tls)

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's producer, consumer and admin client."""
        kwargs: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": self.security_protocol,
        }
        if self.tls:
            kwargs["ssl_context"] = self.ssl_context()
        if self.sasl:
            kwargs["sasl_mechanism"] = self.sasl_mechanism
            kwargs["sasl_plain_username"] = self.username
            kwargs["sasl_plain_password"] = self.password
        return kwargs

    def settings(self) -> dict[str, Any]:
        """This connection as ``ServiceSettings`` keyword arguments (a process acting as this
        principal in-process: tests, benchmarks)."""
        return {
            "kafka_bootstrap_servers": self.bootstrap,
            "kafka_security_protocol": self.security_protocol,
            "kafka_sasl_mechanism": self.sasl_mechanism,
            "kafka_sasl_username": self.username,
            "kafka_sasl_password": self.password,
            "kafka_ca_file": self.ca_file,
        }

    def librdkafka(self) -> dict[str, str]:
        """The configuration librdkafka reads (confluent-kafka, kcat ``-F``)."""
        config = {
            "bootstrap.servers": self.bootstrap,
            "security.protocol": self.security_protocol.lower(),
        }
        if self.tls and self.ca_file:
            config["ssl.ca.location"] = self.ca_file
        if self.sasl:
            config["sasl.mechanism"] = self.sasl_mechanism
            config["sasl.username"] = cast(str, self.username)
            config["sasl.password"] = cast(str, self.password)
        return config

    def java_properties(self) -> str:
        """A client configuration file for Kafka's Java tools (``--command-config``) and clients."""
        lines = [
            f"bootstrap.servers={self.bootstrap}",
            f"security.protocol={self.security_protocol}",
        ]
        if self.tls and self.ca_file:
            lines += ["ssl.truststore.type=PEM", f"ssl.truststore.location={self.ca_file}"]
        if self.sasl:
            module = _JAAS_MODULES[self.sasl_mechanism]
            username = _jaas_quote(cast(str, self.username))
            password = _jaas_quote(cast(str, self.password))
            lines += [
                f"sasl.mechanism={self.sasl_mechanism}",
                f'sasl.jaas.config={module} required username="{username}" password="{password}";',
            ]
        return "\n".join(lines) + "\n"

    @classmethod
    def from_properties(cls, text: str, *, bootstrap: str | None = None) -> "KafkaAccess":
        """Read a Java client configuration file (what ``java_properties`` writes)."""
        values: dict[str, str] = {}
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith(("#", "!")):
                continue
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
        username = password = None
        if jaas := values.get("sasl.jaas.config"):
            options = {k: _jaas_unquote(v) for k, v in _JAAS.findall(jaas)}
            username, password = options.get("username"), options.get("password")
        server = bootstrap or values.get("bootstrap.servers")
        if not server:
            raise KafkaAccessError("the client configuration names no bootstrap.servers")
        return cls(
            bootstrap=server,
            security_protocol=cast(
                SecurityProtocol, values.get("security.protocol", "PLAINTEXT").upper()
            ),
            sasl_mechanism=cast(SaslMechanism, values.get("sasl.mechanism", "SCRAM-SHA-512")),
            username=username,
            password=password,
            ca_file=values.get("ssl.truststore.location"),
        )

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] | None = None, *, bootstrap: str | None = None
    ) -> "KafkaAccess":
        """The command-line tools' connection: ``CERCHIA_KAFKA_CONFIG`` (a client configuration
        file), else ``CERCHIA_KAFKA_BOOTSTRAP_SERVERS``, ``_SECURITY_PROTOCOL``,
        ``_SASL_MECHANISM``, ``_SASL_USERNAME``, ``_SASL_PASSWORD`` and ``_CA_FILE``, each
        also readable from the file named by ``<variable>_FILE``.
        """
        env = os.environ if environ is None else environ
        if config := env.get(CONFIG_ENV):
            return cls.from_config_file(config, bootstrap=bootstrap)

        def value(name: str) -> str | None:
            return env_or_file(env, ENV_PREFIX + name)

        return cls(
            bootstrap=bootstrap or value("BOOTSTRAP_SERVERS") or "127.0.0.1:9092",
            security_protocol=cast(
                SecurityProtocol, (value("SECURITY_PROTOCOL") or "SASL_SSL").upper()
            ),
            sasl_mechanism=cast(SaslMechanism, value("SASL_MECHANISM") or "SCRAM-SHA-512"),
            username=value("SASL_USERNAME"),
            password=value("SASL_PASSWORD"),
            ca_file=value("CA_FILE"),
        )

    @classmethod
    def from_config_file(cls, path: str | Path, *, bootstrap: str | None = None) -> "KafkaAccess":
        """Read a client configuration file from disk."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise KafkaAccessError(
                f"cannot read the Kafka client configuration {path}: {exc}"
            ) from None
        return cls.from_properties(text, bootstrap=bootstrap)


def env_or_file(environ: Mapping[str, str], name: str) -> str | None:
    """``environ[name]``, or the content of the file ``environ[name + "_FILE"]`` (stripped of
    its trailing newline); both set is an error, so a stale value never wins silently."""
    direct, path = environ.get(name), environ.get(name + "_FILE")
    if direct is not None and path is not None:
        raise KafkaAccessError(f"set {name} or {name}_FILE, not both")
    if path is not None:
        return read_secret_file(path, what=name + "_FILE")
    return direct


def read_secret_file(path: str | Path, *, what: str) -> str:
    """A secret from a file (a Docker or Kubernetes secret), without its trailing newline."""
    try:
        return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise KafkaAccessError(f"{what}: cannot read {path}: {exc.strerror}") from None


def _jaas_quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _jaas_unquote(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def add_access_arguments(
    parser: argparse.ArgumentParser, environ: Mapping[str, str] | None = None
) -> None:
    """``--client-config FILE`` and ``--bootstrap HOST:PORT`` for a command-line tool; the help
    names the connection used when neither is given, as ``environ`` (the process's) sets it."""
    now = describe_default(os.environ if environ is None else environ).replace("%", "%%")
    parser.add_argument(
        "--client-config",
        metavar="FILE",
        help=f"Kafka client configuration (Java properties, as Kafka's tools read); default: "
        f"${CONFIG_ENV}, else the {ENV_PREFIX}* variables; now: {now}",
    )
    parser.add_argument(
        "--bootstrap",
        metavar="HOST:PORT",
        help=f"override the cluster address (default: the client configuration's, else "
        f"${ENV_PREFIX}BOOTSTRAP_SERVERS, else 127.0.0.1:9092)",
    )


def describe_default(environ: Mapping[str, str]) -> str:
    """The connection a tool makes without flags, in a few words (no password)."""
    try:
        access = KafkaAccess.from_environ(environ)
    except KafkaAccessError:
        return f"no credentials set (set ${CONFIG_ENV})"
    source = environ.get(CONFIG_ENV) or f"{ENV_PREFIX}* variables"
    who = f" as {access.username}" if access.username else ""
    return f"{access.bootstrap} {access.security_protocol}{who} (from {source})"


def access_from_arguments(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> KafkaAccess:
    """The connection a command-line tool was told to use."""
    if args.client_config:
        return KafkaAccess.from_config_file(args.client_config, bootstrap=args.bootstrap)
    return KafkaAccess.from_environ(environ, bootstrap=args.bootstrap)
