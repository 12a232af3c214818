package dev.mailroot.server.delivery;

import java.nio.file.Path;

/** The configuration file of a {@link LocalDovecot}; docs/lmtp.md shows it. */
final class DovecotConfig {
    private DovecotConfig() {
    }

    static String text(Path dir, int port, int mailUid, int mailGid, String processUser, String processGroup) {
        return """
                # LocalDovecot: a private Dovecot for tests; nothing outside this folder is read or written
                protocols = lmtp
                listen = 127.0.0.1
                base_dir = %1$s/run
                state_dir = %1$s/state
                log_path = %1$s/dovecot.log
                info_log_path = %1$s/dovecot.log
                ssl = no
                # every Dovecot process runs as the user running the tests (root in CI) ...
                default_internal_user = %5$s
                default_internal_group = %6$s
                default_login_user = %5$s
                # ... and the mail belongs to %3$d:%4$d (LMTP never accesses mail as root)
                first_valid_uid = %3$d
                first_valid_gid = %4$d
                mail_plugins = quota
                lmtp_save_to_detail_mailbox = no
                # RCPT TO:<alice@example.org> is user alice
                auth_username_format = %%Ln
                passdb {
                  driver = passwd-file
                  args = %1$s/users
                }
                userdb {
                  driver = passwd-file
                  args = %1$s/users
                }
                plugin {
                  quota = count:User quota
                  quota_vsizes = yes
                }
                service lmtp {
                  inet_listener lmtp {
                    address = 127.0.0.1
                    port = %2$d
                  }
                  unix_listener %1$s/lmtp.sock {
                    mode = 0666
                  }
                }
                """.formatted(dir, port, mailUid, mailGid, processUser, processGroup);
    }
}
