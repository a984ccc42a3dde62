package io.analyticsetl.pipelines.acmeshop;

import io.analyticsetl.common.secrets.Secret;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed tokens for PII: HMAC-SHA-256 (hex) of the trimmed, lower-cased e-mail and of the phone
 * number's digits. The same person gets the same token in every run with the same key; without the
 * key a token cannot be reversed or recomputed from a guessed value.
 */
final class PiiTokens implements Serializable {

  private final Secret key;
  private transient Mac mac;

  PiiTokens(Secret key) {
    if (key.isEmpty()) {
      throw new IllegalArgumentException("the PII key is empty");
    }
    this.key = key;
  }

  String email(String email) {
    if (email == null || email.isBlank()) {
      return null;
    }
    return token(email.trim().toLowerCase(Locale.ROOT));
  }

  String phone(String phone) {
    String digits = phone == null ? "" : phone.replaceAll("\\D", "");
    return digits.isEmpty() ? null : token(digits);
  }

  private String token(String value) {
    try {
      if (mac == null) {
        mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      }
      return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA-256 is not available", e);
    }
  }
}
