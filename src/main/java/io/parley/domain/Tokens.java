package io.parley.domain;

/** The result of signup, signin, guest entry and refresh. */
public record Tokens(User user, String accessToken, long accessExpiresInSeconds, String refreshToken) {
}
