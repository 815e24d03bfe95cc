"""A relying party written with Python Authlib (Debian's python3-authlib), driven by
test/e2e/authlib-refresh.test.ts over stdin/stdout, one JSON object per line.

1. reads {issuer, client_id, client_secret, redirect_uri} and prints {authorization_url}
   (code + PKCE S256, scope with offline_access, prompt=consent, from the discovery document);
2. reads {callback} (the redirect back after the person signed in), exchanges the code, validates the ID
   token with the JWKS allowing RS256 only, refreshes twice (the refresh token must rotate), checks
   that the spent one is refused, revokes the newest and checks it is refused, and prints the results.
Nothing here is Latchkey-specific: it is what any Authlib application does.
"""
import base64
import json
import sys

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.oidc.core import CodeIDToken


def read():
    return json.loads(sys.stdin.readline())


def say(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def header_of(jwt):
    part = jwt.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def refused(session, endpoint, refresh_token):
    """The OAuth error of a refresh with `refresh_token`, or None when it worked."""
    try:
        session.refresh_token(endpoint, refresh_token=refresh_token)
    except OAuthError as error:
        return error.error
    return None


def main():
    setup = read()
    metadata = requests.get(setup["issuer"] + "/.well-known/openid-configuration", timeout=10).json()
    keys = JsonWebKey.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    endpoint = metadata["token_endpoint"]

    def sign_in():
        session = OAuth2Session(
            setup["client_id"], setup["client_secret"],
            scope="openid email profile offline_access", redirect_uri=setup["redirect_uri"],
            code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic",
        )
        verifier = generate_token(48)
        nonce = generate_token(20)
        url, state = session.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce, prompt="consent")
        say({"authorization_url": url})
        callback = read()["callback"]
        token = session.fetch_token(endpoint, authorization_response=callback, code_verifier=verifier, state=state)
        # An RS256-only relying party: any other algorithm fails here.
        claims = JsonWebToken(["RS256"]).decode(
            token["id_token"], keys, claims_cls=CodeIDToken,
            claims_options={"iss": {"essential": True, "values": [metadata["issuer"]]}},
            claims_params={"nonce": nonce, "client_id": setup["client_id"]},
        )
        claims.validate()
        return session, token, claims

    session, token, claims = sign_in()
    first = token["refresh_token"]
    second = session.refresh_token(endpoint, refresh_token=first)
    third = session.refresh_token(endpoint, refresh_token=second["refresh_token"])
    rotation = {
        "scope": token.get("scope"),
        "id_token_alg": header_of(token["id_token"])["alg"],
        "sub": claims["sub"], "email": claims.get("email"), "login": claims.get("login"),
        "rotated": len({first, second["refresh_token"], third["refresh_token"]}) == 3,
        "spent_refused": refused(session, endpoint, first),
        # Reusing a spent refresh token revokes the grant (theft detection): the newest dies too.
        "newest_after_reuse": refused(session, endpoint, third["refresh_token"]),
    }

    session, token, _ = sign_in()
    fresh = session.refresh_token(endpoint, refresh_token=token["refresh_token"])
    revocation = session.revoke_token(metadata["revocation_endpoint"], token=fresh["refresh_token"], token_type_hint="refresh_token")
    say({
        **rotation,
        "revocation_status": revocation.status_code,
        "after_revocation": refused(session, endpoint, fresh["refresh_token"]),
    })


if __name__ == "__main__":
    main()
