"""A secured single Kafka node's files: a private CA, the broker's certificate, server.properties.

The local stack and the tests call these at first start (files kept under their state folder);
compose runs ``python -m cerchia_chassis.kafka_node DIR --host kafka ...`` in an init container.
Clients trust ``ca.pem``; the broker serves ``broker.pem`` (its PKCS#8 key and certificate
chain, as Kafka's PEM keystore reads it) on its SASL_SSL listener, and presents the same
certificate to its controller listener, which requires one (mutual TLS; the principal is the
certificate's CN, ``broker``). ``server_properties`` is the node's configuration: nobody is
trusted by default. Production clusters bring their own certificates and configuration.
"""

import argparse
import datetime as dt
import ipaddress
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

#: The broker certificate's CN, which the brokers map to the principal ``User:broker``; it is
#: also the node's SCRAM user on its inter-broker listener.
BROKER_CN = BROKER = "broker"
#: The operators' super user.
ADMIN = "admin"
_VALIDITY = dt.timedelta(days=825)


@dataclass(frozen=True)
class BrokerTls:
    """The files of a broker's TLS identity."""

    directory: Path

    @property
    def ca(self) -> Path:
        """The CA certificate clients trust (PEM)."""
        return self.directory / "ca.pem"

    @property
    def ca_key(self) -> Path:
        """The CA's private key (kept to issue a new broker certificate later)."""
        return self.directory / "ca-key.pem"

    @property
    def broker(self) -> Path:
        """The broker's PKCS#8 key followed by its certificate and the CA's (Kafka PEM keystore)."""
        return self.directory / "broker.pem"


def ensure_broker_tls(directory: Path, hosts: Sequence[str]) -> BrokerTls:
    """The CA and broker certificate in ``directory``; made (or the broker's remade) when missing,
    expiring within a month, or not naming every one of ``hosts`` (names or IP addresses)."""
    tls = BrokerTls(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if not (tls.ca.is_file() and tls.ca_key.is_file()):
        _write_ca(tls)
    if not _broker_valid(tls, hosts):
        _write_broker(tls, hosts)
    return tls


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write_private(path: Path, data: bytes) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(data)


def _pkcs8(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_ca(tls: BrokerTls) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Cerchia local Kafka CA")])
    now = _now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + 2 * _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(tls.ca_key, _pkcs8(key))
    tls.ca.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def _alt_names(hosts: Sequence[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(hosts):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def _broker_valid(tls: BrokerTls, hosts: Sequence[str]) -> bool:
    if not tls.broker.is_file():
        return False
    try:
        certificate = x509.load_pem_x509_certificates(tls.broker.read_bytes())[0]
        ca = x509.load_pem_x509_certificate(tls.ca.read_bytes())
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, x509.ExtensionNotFound):
        return False
    if certificate.issuer != ca.subject:
        return False
    if certificate.not_valid_after_utc - _now() < dt.timedelta(days=30):
        return False
    return all(name in list(names) for name in _alt_names(hosts))


def _write_broker(tls: BrokerTls, hosts: Sequence[str]) -> None:
    ca_key = serialization.load_pem_private_key(tls.ca_key.read_bytes(), password=None)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise TypeError(f"{tls.ca_key} is not the EC key this tool makes")
    ca = x509.load_pem_x509_certificate(tls.ca.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, BROKER_CN)]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(_alt_names(hosts)), critical=False)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    chain = certificate.public_bytes(serialization.Encoding.PEM) + tls.ca.read_bytes()
    _write_private(tls.broker, _pkcs8(key) + chain)


@dataclass(frozen=True)
class Listeners:
    """Where the node listens and what it tells clients."""

    listen_host: str
    advertised_host: str
    port: int = 9092
    controller_port: int = 9093


def server_properties(
    listeners: Listeners,
    *,
    data_dir: str,
    tls: BrokerTls,
    broker_password: str,
    node_id: int = 1,
    default_partitions: int = 3,
) -> str:
    """server.properties of a single KRaft node (broker and controller) that trusts nobody.

    Clients use SASL_SSL with SCRAM-SHA-512; the controller listener requires a client
    certificate (mutual TLS: only the node itself talks to it); the StandardAuthorizer denies
    whatever no ACL allows; topics are created from the catalog only. Replication factors of one.
    """
    listen, advertised = listeners.listen_host, listeners.advertised_host
    port, cport = listeners.port, listeners.controller_port
    password = broker_password.replace("\\", "\\\\").replace('"', '\\"')
    lines = {
        "process.roles": "broker,controller",
        "node.id": str(node_id),
        "controller.quorum.bootstrap.servers": f"{advertised}:{cport}",
        "listeners": f"SASL_SSL://{listen}:{port},CONTROLLER://{listen}:{cport}",
        # The controller's address is advertised too, so the node never derives it from its
        # host name (which, in a container, the certificate may not name).
        "advertised.listeners": f"SASL_SSL://{advertised}:{port},CONTROLLER://{advertised}:{cport}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "SASL_SSL",
        "listener.security.protocol.map": "SASL_SSL:SASL_SSL,CONTROLLER:SSL",
        "sasl.enabled.mechanisms": "SCRAM-SHA-512",
        "sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{BROKER}" password="{password}";'
        ),
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": str(tls.broker),
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": str(tls.ca),
        "listener.name.controller.ssl.client.auth": "required",
        "ssl.principal.mapping.rules": "RULE:^CN=([^,]+)$/$1/,DEFAULT",
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users": f"User:{BROKER};User:{ADMIN}",
        "allow.everyone.if.no.acl.found": "false",
        "log.dirs": data_dir,
        "num.partitions": str(default_partitions),
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "auto.create.topics.enable": "false",
    }
    return "".join(f"{key}={value}\n" for key, value in lines.items())


def main(argv: Sequence[str] | None = None) -> int:
    """Make (or keep) a node's CA and certificate; write its server.properties and a copy of the
    CA for clients (compose's init container)."""
    parser = argparse.ArgumentParser(
        prog="python -m cerchia_chassis.kafka_node", description=__doc__.splitlines()[0]
    )
    parser.add_argument("directory", type=Path, help="the node's TLS files and configuration")
    parser.add_argument(
        "--host",
        action="append",
        required=True,
        help="a name or IP address clients use to reach the broker (repeat; the first is "
        "advertised)",
    )
    parser.add_argument("--data-dir", required=True, help="the node's log.dirs")
    parser.add_argument("--broker-password-file", type=Path, required=True)
    parser.add_argument("--ca-out", type=Path, help="also copy ca.pem into this directory")
    args = parser.parse_args(argv)
    tls = ensure_broker_tls(args.directory, args.host)
    properties = server_properties(
        Listeners(listen_host="0.0.0.0", advertised_host=args.host[0]),  # noqa: S104
        data_dir=args.data_dir,
        tls=tls,
        broker_password=args.broker_password_file.read_text(encoding="utf-8").strip(),
    )
    _write_private(args.directory / "server.properties", properties.encode())
    if args.ca_out is not None:
        args.ca_out.mkdir(parents=True, exist_ok=True)
        (args.ca_out / "ca.pem").write_bytes(tls.ca.read_bytes())
    print(f"CA {tls.ca}\nbroker keystore {tls.broker}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
