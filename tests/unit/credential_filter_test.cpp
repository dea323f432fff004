// Unit tests for the credential filter: secrets in user chat messages must be replaced by
// "[REDACTED]", ordinary IT-support messages must pass through unchanged.
#include "security/credential_filter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <string_view>

namespace chatbot::security {
namespace {

const CredentialFilter& filter() {
  static const CredentialFilter kFilter;
  return kFilter;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// ---------------------------------------------------------------------------------------------
// Positive cases: a secret that must be removed.
// ---------------------------------------------------------------------------------------------

struct SecretCase {
  const char* name;      // test name suffix
  const char* input;     // the user's message
  const char* secret;    // must not appear anywhere in the redacted text
  const char* kind;      // expected entry in Redaction::kinds ("" = not checked)
  const char* expected;  // exact redacted text ("" = not checked)
};

std::ostream& operator<<(std::ostream& os, const SecretCase& c) {
  return os << c.name;
}

constexpr SecretCase kSecretCases[] = {
    // --- "my password is X" and friends ------------------------------------------------------
    {"PasswordIs", "Hi, my password is Summer2024 and I still can't log into Outlook", "Summer2024",
     "password", "Hi, my password is [REDACTED] and I still can't log into Outlook"},
    {"PasswordIsTrailingBang", "my password is Hunter22!", "Hunter22", "password",
     "my password is [REDACTED]"},
    {"PasswordIsTrailingBangMidSentence", "My password is Hunter22! Can you check why it fails?",
     "Hunter22!", "password", "My password is [REDACTED] Can you check why it fails?"},
    {"PasswordIsTrailingPeriod", "I think the problem is my password is Tr0ub4dor&3.",
     "Tr0ub4dor&3", "password", ""},
    {"PasswordIsLowercaseWord", "my password is sunshine, is that too weak?", "sunshine",
     "password", ""},
    {"PasswordIsColon", "my password is: Hunter22!", "Hunter22", "password", ""},
    {"PasswordItsAfterComma", "I can't remember if it changed, my password, it's Hunter22!",
     "Hunter22", "password", ""},
    {"PasswordIsNow", "My password is now Xy7!abcd but the VPN client still shows the old one",
     "Xy7!abcd", "password", ""},
    {"PasswordIsDoubleQuoted", "my password is \"pa55word\" (without the quotes)", "pa55word",
     "password", ""},
    {"PasswordIsSingleQuoted", "the password is 'N0v3mber!' for the shared mailbox", "N0v3mber!",
     "password", ""},
    {"PasswordColon", "password: Tr0ub4dor&3", "Tr0ub4dor&3", "password", "password: [REDACTED]"},
    {"PasswordEquals", "I set password=Qwerty!234 in the config file", "Qwerty!234", "password",
     ""},
    {"PasswordArrow", "old password -> Autumn2023", "Autumn2023", "password", ""},
    {"PasswdColon", "passwd: L1nuxR00t", "L1nuxR00t", "password", ""},
    {"PwdColon", "user jdoe, pwd: Xk9#mP2q", "Xk9#mP2q", "password", ""},
    {"PwdIs", "my pwd is Tr0ub4dor&3 and it is rejected", "Tr0ub4dor&3", "password", ""},
    {"PwIs", "pw is Bl4ckC@t", "Bl4ckC@t", "password", ""},
    {"PassIs", "the admin pass is Gr33nT3a", "Gr33nT3a", "password", ""},
    {"PasscodeIs", "My iPhone passcode is 739201 and it got disabled", "739201", "password", ""},
    {"PassphraseColon", "The Wi-Fi passphrase: Blue-Falcon-Tango-42", "Blue-Falcon-Tango-42",
     "password", ""},
    {"PinIs", "My PIN is 4821, please unlock my badge", "4821", "password", ""},
    {"PinCodeColon", "pin code: 0852", "0852", "password", ""},
    {"PinBare", "Card reader asks for PIN 7719 and then says wrong", "7719", "password", ""},
    {"PasswordForVpnIs", "the password for the VPN is Vpn$ecure99", "Vpn$ecure99", "password", ""},
    {"PasswordForMyAccountWas", "The password for my account was Welcome123 before the reset",
     "Welcome123", "password", ""},
    {"LoginThenPassword", "login: bob.smith password: S3cure!Pass", "S3cure!Pass", "password", ""},
    {"UsernamePasswordBare", "username jdoe password Autumn#2024", "Autumn#2024", "password", ""},
    {"PasswordBareTrailingPeriod", "Can you check my account? password Hunter22.", "Hunter22",
     "password", ""},
    {"NewPasswordWillBe", "the new password will be Winter#2025 from Monday", "Winter#2025",
     "password", ""},
    {"ChangedPasswordTo", "I changed my password to Spring2025! yesterday", "Spring2025",
     "password", "I changed my password to [REDACTED] yesterday"},
    {"JsonPassword", R"(appsettings.json has "Password": "Hunter22!" and login fails)", "Hunter22",
     "", ""},
    {"FrenchMotDePasseColon", "Bonjour, mot de passe : Soleil2024, ça ne marche pas", "Soleil2024",
     "password", ""},
    {"FrenchMotDePasseEst", "Bonjour, mon mot de passe est Soleil2024! merci", "Soleil2024",
     "password", ""},
    {"GermanPasswortIst", "Mein Passwort ist Sommer2024! und funktioniert nicht", "Sommer2024",
     "password", ""},
    {"GermanPasswortColon", "Passwort: Sommer2024", "Sommer2024", "password", ""},
    {"SpanishContrasenaEs", "mi contraseña es Verano2024 pero no funciona", "Verano2024",
     "password", ""},

    // --- MFA / verification / backup / recovery codes --------------------------------------
    {"MfaCodeIs", "my MFA code is 552901, is it still valid?", "552901", "password", ""},
    {"VerificationCodeColon", "verification code: 847362", "847362", "password", ""},
    {"BackupCodeIs", "my backup code is 7391-0482 but it says invalid", "7391-0482", "password",
     ""},
    {"TwoFaCodeItSentWas", "the 2FA code it sent me was 552901", "552901", "password", ""},
    {"OtpBare", "OTP 482913 is not accepted", "482913", "password", ""},
    {"OneTimePasscodeColon", "one-time passcode: 120934", "120934", "password", ""},
    {"SecurityCodeIs", "the security code is 9F3K-22QX", "9F3K-22QX", "password", ""},
    {"BitlockerRecoveryKey",
     "My BitLocker recovery key is 123456-234567-345678-456789-567890-678901-789012-890123",
     "123456-234567-345678-456789-567890-678901-789012-890123", "password", ""},

    // --- Provider API keys and tokens -------------------------------------------------------
    {"AwsAccessKeyId", "our access key AKIAIOSFODNN7EXAMPLE stopped working",
     "AKIAIOSFODNN7EXAMPLE", "api_key", ""},
    {"AwsSecretAccessKeyEnv", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "api_key", ""},
    {"GithubClassicToken",
     "git push asks for a token, I used ghp_16C7e42F292c6912E7710c838347Ae178B4a",
     "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "api_key", ""},
    {"GithubFineGrainedToken",
     "token github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123 fails",
     "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123", "api_key", ""},
    {"GitlabToken", "GitLab CI uses glpat-xY12zAbCdEfGhIjKlMnO and it is rejected",
     "glpat-xY12zAbCdEfGhIjKlMnO", "api_key", ""},
    {"SlackBotToken", "the Slack bot uses xoxb-2401234567-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
     "xoxb-2401234567-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "api_key", ""},
    {"SlackUserToken", "xoxp-1111111111-2222222222-3333333333-abcdef0123456789 stopped working",
     "xoxp-1111111111-2222222222-3333333333-abcdef0123456789", "api_key", ""},
    {"GoogleApiKey", "Maps shows an error with key AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
     "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "api_key", ""},
    {"StripeLiveKey", "payments fail with sk_live_51Hx9aBcDeFgHiJkLmNoPqRsT in the env",
     "sk_live_51Hx9aBcDeFgHiJkLmNoPqRsT", "api_key", ""},
    {"OpenAiProjectKey", "is sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z still valid?",
     "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "api_key", ""},
    {"OpenAiLegacyKey", "I pasted sk-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zT3BlbkFJ into the plugin",
     "sk-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zT3BlbkFJ", "api_key", ""},
    {"ApiKeyEquals", "curl https://api.example.com/v1/items?api_key=3f9a8b7c6d5e4f3a2b1c0d9e",
     "3f9a8b7c6d5e4f3a2b1c0d9e", "api_key", ""},
    {"ClientSecretColon", "client_secret: 7Q8~xYzAbC.dEfGh-IjKlMn_OpQrStUv",
     "7Q8~xYzAbC.dEfGh-IjKlMn_OpQrStUv", "api_key", ""},
    {"ApiKeyHeader", "X-Api-Key: 9b1deb4d3b7d4bad9bdd2b0d7b3dcb6d",
     "9b1deb4d3b7d4bad9bdd2b0d7b3dcb6d", "api_key", ""},
    {"JsonApiKey", R"(my config is {"apiKey": "9b1deb4d3b7d4bad9bdd", "region": "eu"})",
     "9b1deb4d3b7d4bad9bdd", "api_key", ""},
    {"ApiKeyIsStatement", "The API key is 3f9a8b7c6d5e4f3a2b1c, why do I get 401?",
     "3f9a8b7c6d5e4f3a2b1c", "", ""},
    {"TokenEquals", "the webhook URL ends with token=9f8e7d6c5b4a3f2e1d0c", "9f8e7d6c5b4a3f2e1d0c",
     "api_key", ""},
    {"Jwt",
     "here is my id token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6"
     "IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
     "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c", "token", ""},
    {"AuthorizationBearer", "Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543",
     "8f14e45fceea167a5a36dedd4bea2543", "token", "Authorization: Bearer [REDACTED]"},
    {"AuthorizationBearerInCurl",
     "curl -H 'Authorization: Bearer abc123DEF456ghi789JKL0.mnoPQR' https://api.example.com",
     "abc123DEF456ghi789JKL0.mnoPQR", "token", ""},
    {"AuthorizationBasic", "Authorization: Basic Ym9iOlN1bW1lcjIwMjQh", "Ym9iOlN1bW1lcjIwMjQh",
     "token", ""},

    // --- Private keys -----------------------------------------------------------------------
    {"RsaPrivateKeyBlock",
     "why does ssh reject this?\n-----BEGIN RSA PRIVATE KEY-----\n"
     "MIIEpAIBAAKCAQEA7xQ3nR4a9bKc2dVfW0sLr1uYhE5tJmPzX8gHkN2cQe6oV\n"
     "b9Kq1LzT0mRj8sYwXuE3fGhA5nC7dPi2oQs=\n-----END RSA PRIVATE KEY-----\nthanks",
     "MIIEpAIBAAKCAQEA7xQ3nR4a9bKc2dVfW0sLr1uYhE5tJmPzX8gHkN2cQe6oV", "private_key",
     "why does ssh reject this?\n[REDACTED]\nthanks"},
    {"OpenSshPrivateKeyBlock",
     "-----BEGIN OPENSSH PRIVATE KEY-----\n"
     "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
     "-----END OPENSSH PRIVATE KEY-----",
     "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", "private_key",
     "[REDACTED]"},
    {"EcPrivateKeyBlock",
     "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBYr9kQ2xL0aZ3pVw7nT5mJ\n-----END EC PRIVATE "
     "KEY-----",
     "MHcCAQEEIBYr9kQ2xL0aZ3pVw7nT5mJ", "private_key", ""},
    {"UnterminatedPrivateKeyBlock",
     "here's my key -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIB",
     "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIB", "private_key", "here's my key [REDACTED]"},
    {"PuttyKeyFile",
     "PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nPrivate-Lines: 14\nAAAAgQC5yT2nq0Lk8",
     "AAAAgQC5yT2nq0Lk8", "private_key", ""},

    // --- Connection strings and URLs with credentials --------------------------------------
    {"PostgresUrl", "DATABASE_URL=postgres://app_user:S3cr3tPw@db.internal:5432/prod", "S3cr3tPw",
     "connection_string", ""},
    {"MysqlUrl", "can't connect to mysql://root:toor1234@localhost:3306/crm", "toor1234",
     "connection_string", "can't connect to mysql://root:[REDACTED]@localhost:3306/crm"},
    {"HttpsUrlWithCredentials",
     "git clone https://deploy:gh0st-Writer9@git.example.com/team/repo.git", "gh0st-Writer9",
     "connection_string", ""},
    {"FtpUrl", "the scanner uploads to ftp://scanner:Scan2Folder!@files.example.com/inbox",
     "Scan2Folder!", "connection_string", ""},
    {"MongoSrvUrl", "mongodb+srv://admin:M0ng0Pass@cluster0.abcde.mongodb.net/test", "M0ng0Pass",
     "connection_string", ""},
    {"RedisUrlNoUser", "REDIS_URL=redis://:r3disPassw0rd@cache.internal:6379/0", "r3disPassw0rd",
     "connection_string", ""},
    {"AdoNetConnectionString",
     "Server=tcp:sql01.corp.local,1433;Database=HR;User Id=svc_hr;Password=Xy9#kLm2;Encrypt=True;",
     "Xy9#kLm2", "connection_string", ""},
    {"OdbcConnectionString",
     "Driver={ODBC Driver 18 for SQL Server};Server=sql01;Uid=sa;Pwd=Adm1n!2024;", "Adm1n!2024",
     "connection_string", ""},
    {"JdbcUrlPassword",
     "jdbc:sqlserver://db01:1433;databaseName=erp;user=erp_app;password=ErpP@ss2024", "ErpP@ss2024",
     "connection_string", ""},
    {"AzureStorageAccountKey",
     "DefaultEndpointsProtocol=https;AccountName=stor01;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1"
     "OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;EndpointSuffix=core.windows.net",
     "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1", "connection_string", ""},
    {"AzureServiceBusSharedAccessKey",
     "Endpoint=sb://corp-ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
     "SharedAccessKey=abcDEF123ghiJKL456mnoPQR789stuVWX0yz1234567=",
     "abcDEF123ghiJKL456mnoPQR789stuVWX0yz1234567", "connection_string", ""},

    // --- Payment cards (Luhn-valid) and national ids ---------------------------------------
    {"VisaWithSpaces", "please charge 4111 1111 1111 1111 for the new headset",
     "4111 1111 1111 1111", "card_number", "please charge [REDACTED] for the new headset"},
    {"MastercardWithDashes", "my card 5500-0000-0000-0004 was declined in the software shop",
     "5500-0000-0000-0004", "card_number", ""},
    {"AmexPlain", "corporate Amex 378282246310005 expired", "378282246310005", "card_number", ""},
    {"AmexGrouped", "Amex 3782 822463 10005, exp 12/26", "3782 822463 10005", "card_number", ""},
    {"VisaPlain", "charge it to 4012888888881881 please", "4012888888881881", "card_number", ""},
    {"DiscoverWithSpaces", "Discover 6011 1111 1111 1117", "6011 1111 1111 1117", "card_number",
     ""},
    {"UsSsn", "my SSN is 123-45-6789 for the HR portal", "123-45-6789", "national_id",
     "my SSN is [REDACTED] for the HR portal"},
    {"UsSsnAfterColon", "The payroll form asks SSN: 078-05-1120", "078-05-1120", "national_id", ""},
};

class CredentialFilterSecretTest : public ::testing::TestWithParam<SecretCase> {};

TEST_P(CredentialFilterSecretTest, RedactsSecret) {
  const SecretCase& c = GetParam();
  const Redaction result = filter().redact(c.input);
  EXPECT_TRUE(result.redacted()) << "input: " << c.input;
  EXPECT_FALSE(contains(result.text, c.secret))
      << "secret '" << c.secret << "' leaked in: " << result.text;
  EXPECT_TRUE(contains(result.text, kRedactionMarker)) << "no marker in: " << result.text;
  if (*c.kind != '\0') {
    EXPECT_NE(std::find(result.kinds.begin(), result.kinds.end(), c.kind), result.kinds.end())
        << "kind '" << c.kind << "' missing for: " << c.input;
  }
  if (*c.expected != '\0') {
    EXPECT_EQ(result.text, c.expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Secrets, CredentialFilterSecretTest, ::testing::ValuesIn(kSecretCases),
                         [](const ::testing::TestParamInfo<SecretCase>& info) {
                           return std::string(info.param.name);
                         });

// ---------------------------------------------------------------------------------------------
// Negative cases: ordinary support messages that must pass through untouched.
// ---------------------------------------------------------------------------------------------

struct PlainCase {
  const char* name;
  const char* input;
};

std::ostream& operator<<(std::ostream& os, const PlainCase& c) {
  return os << c.name;
}

constexpr PlainCase kPlainCases[] = {
    // --- talking about passwords without giving one ---------------------------------------
    {"ForgotPassword", "I forgot my password"},
    {"PasswordIsExpired", "my password is expired"},
    {"PasswordIsExpiredCapitalised", "My password is Expired, says the login page"},
    {"PasswordIsNotWorking", "My password is not working since this morning"},
    {"PasswordIsWrong", "Outlook says my password is wrong but I just changed it"},
    {"PasswordIsTooShort", "my password is too short apparently"},
    {"PasswordIsBeingRejected", "The new password is being rejected"},
    {"PasswordIsLocked", "My password is locked after too many attempts"},
    {"PasswordIsTheSame", "My password is the same as my old one, is that allowed?"},
    {"PasswordIsNumberOfCharacters",
     "my password is 12 characters long and it still says too short"},
    {"PasswordWhenYouAreBack", "Can you reset my password when you are back in the office?"},
    {"PasswordWasReset", "My password was reset yesterday but still doesn't work"},
    {"PasswordExpiredYesterday", "my password expired yesterday"},
    {"PasswordResetLinkDoesNotArrive", "The password reset link doesn't arrive"},
    {"ChangePasswordOnWindows", "How do I change my password on Windows 11?"},
    {"ResetPasswordToAccess", "I need to reset my password to access Outlook"},
    {"SetPasswordToNeverExpire", "Please set the password to never expire on the kiosk account"},
    {"PasswordRules", "What are the password rules?"},
    {"PasswordMustBeLength", "The password must be at least 14 characters"},
    {"PasswordManager", "Which password manager do we use?"},
    {"PasswordStoredSecurely", "Is my password stored securely?"},
    {"WifiPasswordOnWhiteboard", "The wifi password is on the whiteboard, right?"},
    {"GuestWifiPasswordQuestion", "What's the password for the guest WiFi?"},
    {"PasswordExpiredKeychain", "Password expired on my Mac, how do I update the keychain?"},
    {"PasswordChangeScreenFreezes", "The password change screen freezes"},
    {"OutlookAsksForPassword", "Outlook keeps asking for my password"},
    {"TypedPasswordWrongThreeTimes", "I typed my password wrong three times"},
    {"PostgresAuthError", "FATAL: password authentication failed for user \"app\""},
    {"LoginNotWorking", "My login is not working"},
    {"PasswordDoesntWork", "my password doesn't work"},
    {"PasswordIsntWorking", "my password isn't working after the update"},
    {"PasswordsDontMatch", "It says passwords don't match"},
    {"PinCantBeChanged", "The PIN can't be changed on my laptop"},
    {"MfaCodeIsntComing", "MFA code isn't coming through"},
    {"PasswordCommaItsNotWorking", "I reset my password, it's still not working"},
    {"PasswordResetLabel", "Password reset: done, but Teams still asks"},
    {"PasswordRequirementsLabel", "Password requirements: 12 characters minimum"},
    {"FrenchPasswordForgotten", "mot de passe oublié"},
    {"FrenchPasswordExpired", "Bonjour, mon mot de passe est expiré"},
    {"FrenchPasswordNotAccepted", "Mon mot de passe n'est pas accepté par Outlook"},
    {"GermanPasswordExpired", "Mein Passwort ist abgelaufen"},
    {"GermanPasswordNotValid", "Mein Passwort ist nicht mehr gültig"},
    {"SpanishPasswordIncorrect", "Dice que mi contraseña es incorrecta"},

    // --- tokens, PINs, codes, keys without a value ----------------------------------------
    {"TokenExpired", "my token expired"},
    {"RsaTokenBroken", "My RSA token is broken, the display is blank"},
    {"AccessTokenValidForOneHour", "The access token is valid for one hour, right?"},
    {"TokenIsInvalid", "Token is invalid when I open the app"},
    {"YubikeyToken", "The token on my YubiKey blinks but nothing happens"},
    {"BearerTokenAuthFails", "Bearer token authentication fails in Postman"},
    {"BearerPlaceholder", "The header is Authorization: Bearer <token>, right?"},
    {"SecretSanta", "Where is the secret santa form?"},
    {"ClientSecretExpired", "The client secret expired in Azure AD"},
    {"PinPadPrinter", "The PIN pad on the printer is unresponsive"},
    {"WindowsHelloPin", "Windows Hello PIN is not working"},
    {"PinLengthDigits", "My PIN is 6 digits now but Windows asks for 4"},
    {"PinOnConnectorBent", "The pin on the USB-C connector is bent"},
    {"MfaCodeNotArriving", "MFA code not arriving on my phone"},
    {"TwoFaCodesNotAccepted", "My 2FA codes are not accepted"},
    {"VerificationCodeSentToOldPhone", "The verification code is sent to my old phone number"},
    {"VerificationCodeValidity", "How long is a verification code valid?"},
    {"BitlockerKeyMissing", "My BitLocker recovery key is missing"},
    {"WhereIsBitlockerKey", "Where can I find my BitLocker recovery key?"},
    {"ApiKeyFieldEmpty", "The api key field is empty in the settings page"},
    {"SshKeygen", "Should I run ssh-keygen -t ed25519 for the new GitLab?"},
    {"PublicCertificate",
     "The server sent this:\n-----BEGIN "
     "CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0B\n"
     "-----END CERTIFICATE-----\nis it expired?"},
    {"PublicSshKey", "My public key is ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxYz bob@laptop"},

    // --- numbers, identifiers, addresses --------------------------------------------------
    {"HresultError", "Windows Update fails with error 0x80070005"},
    {"KbFailed", "KB5034441 failed to install"},
    {"PhoneNumber", "Please call me at +1 555 123 4567"},
    {"TollFreeNumber", "Call the service desk on 1-800-555-0199"},
    {"Extension", "My extension is 4357"},
    {"TicketNumber", "Any update on INC0012345?"},
    {"IpAddress", "I can't ping 10.0.0.1 from my laptop"},
    {"PrinterIpAndPort", "Printer IP is 192.168.1.254, port 9100"},
    {"IsoDate", "The outage started on 2024-05-01 at 10:30"},
    {"MacOsVersion", "I'm on macOS 14.4.1 and Teams crashes"},
    {"TeamsVersion", "Teams version 1.7.00.7956 keeps crashing"},
    {"SerialFailingLuhn", "The serial number on the dock is 4111 1111 1111 1112"},
    {"OrderNumber", "Order number 1000234567 hasn't shipped"},
    {"TrackingNumber", "Tracking number 1Z999AA10123456784 for the laptop"},
    {"ServiceTag", "Dell service tag 7XK2J93 needs a new battery"},
    {"MacAddress", "the MAC address is 00:1A:2B:3C:4D:5E"},
    {"DeviceGuid", "Device ID 3fa85f64-5717-4562-b3fc-2c963f66afa6 is not compliant"},
    {"KbUrl", "The article https://servicedesk.example.com/kb/123 didn't help"},
    {"LocalhostUrl", "http://localhost:8080/login returns 404"},
    {"EmailAddress", "Please email me at jane.doe@example.com"},
    {"GitSshRemote", "git clone git@github.com:corp/infra.git asks for a passphrase"},
    {"SshUserAtHost", "ssh bob@10.0.0.5 hangs"},
    {"WindowsPath", "The log is at C:\\Users\\jdoe\\AppData\\Local\\Temp\\setup.log"},
    {"UnixPath", "Permission denied on /home/jdoe/.ssh/id_rsa"},
};

class CredentialFilterPlainTest : public ::testing::TestWithParam<PlainCase> {};

TEST_P(CredentialFilterPlainTest, LeavesTextUnchanged) {
  const PlainCase& c = GetParam();
  const Redaction result = filter().redact(c.input);
  EXPECT_FALSE(result.redacted()) << "unexpected kinds, first: "
                                  << (result.kinds.empty() ? "" : result.kinds.front());
  EXPECT_EQ(result.text, c.input);
}

INSTANTIATE_TEST_SUITE_P(PlainMessages, CredentialFilterPlainTest, ::testing::ValuesIn(kPlainCases),
                         [](const ::testing::TestParamInfo<PlainCase>& info) {
                           return std::string(info.param.name);
                         });

// ---------------------------------------------------------------------------------------------
// Other behaviour
// ---------------------------------------------------------------------------------------------

TEST(CredentialFilterTest, RemovesEverySecretInOneMessage) {
  const std::string input =
      "login: bob password: Hunter22! and the AWS key is AKIAIOSFODNN7EXAMPLE, db is "
      "postgres://app:S3cr3tPw@db:5432/x, card 4111 1111 1111 1111, SSN 123-45-6789, "
      "Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543";
  const Redaction result = filter().redact(input);
  ASSERT_TRUE(result.redacted());
  for (const std::string_view secret :
       {"Hunter22", "AKIAIOSFODNN7EXAMPLE", "S3cr3tPw", "4111 1111 1111 1111", "123-45-6789",
        "8f14e45fceea167a5a36dedd4bea2543"}) {
    EXPECT_FALSE(contains(result.text, secret)) << secret << " leaked in: " << result.text;
  }
  for (const std::string_view kind :
       {"password", "api_key", "connection_string", "card_number", "national_id", "token"}) {
    EXPECT_NE(std::find(result.kinds.begin(), result.kinds.end(), kind), result.kinds.end())
        << "kind " << kind << " missing";
  }
  // Each kind is listed once.
  for (const auto& kind : result.kinds) {
    EXPECT_EQ(std::count(result.kinds.begin(), result.kinds.end(), kind), 1) << kind;
  }
  // Surrounding prose survives.
  EXPECT_TRUE(contains(result.text, "and the AWS key is"));
  EXPECT_TRUE(contains(result.text, "db is postgres://app:"));
}

TEST(CredentialFilterTest, EmptyInputIsNotRedacted) {
  const Redaction result = filter().redact("");
  EXPECT_FALSE(result.redacted());
  EXPECT_TRUE(result.text.empty());
}

TEST(CredentialFilterTest, SharedInstanceIsStable) {
  // Same input twice through the same (const, shared) instance gives the same answer.
  const auto first = filter().redact("my password is Hunter22!");
  const auto second = filter().redact("my password is Hunter22!");
  EXPECT_EQ(first.text, second.text);
  EXPECT_EQ(first.kinds, second.kinds);
}

TEST(LooksLikeCardNumberTest, AcceptsLuhnValidNumbers) {
  EXPECT_TRUE(looksLikeCardNumber("4111111111111111"));
  EXPECT_TRUE(looksLikeCardNumber("4111 1111 1111 1111"));
  EXPECT_TRUE(looksLikeCardNumber("5500-0000-0000-0004"));
  EXPECT_TRUE(looksLikeCardNumber("378282246310005"));  // 15 digits
  EXPECT_TRUE(looksLikeCardNumber("6011111111111117"));
  EXPECT_TRUE(looksLikeCardNumber("4222222222222"));  // 13 digits
}

TEST(LooksLikeCardNumberTest, RejectsLuhnFailures) {
  EXPECT_FALSE(looksLikeCardNumber("4111111111111112"));
  EXPECT_FALSE(looksLikeCardNumber("4111 1111 1111 1112"));
  EXPECT_FALSE(looksLikeCardNumber("5500-0000-0000-0005"));
}

TEST(LooksLikeCardNumberTest, RejectsWrongDigitCounts) {
  EXPECT_FALSE(looksLikeCardNumber(""));
  EXPECT_FALSE(looksLikeCardNumber("no digits here"));
  EXPECT_FALSE(looksLikeCardNumber("424242424242"));          // 12 digits, Luhn-valid
  EXPECT_FALSE(looksLikeCardNumber("41111111111111111110"));  // 20 digits
}

TEST(LooksLikeCardNumberTest, IgnoresNonDigitCharacters) {
  EXPECT_TRUE(looksLikeCardNumber("card: 4111-1111-1111-1111."));
  EXPECT_EQ(looksLikeCardNumber("4111x1111x1111x1111"), looksLikeCardNumber("4111111111111111"));
}

}  // namespace
}  // namespace chatbot::security
