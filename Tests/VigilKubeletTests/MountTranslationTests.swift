import Testing
@testable import VigilKubelet

@Suite struct MountTranslationTests {
    let translation = MountTranslation([
        "/var/lib/mysql": "/h/data", "/run/mysqld": "/h/run", "/etc/vigil/config": "/h/config",
        "/etc/vigil/config/extra": "/h/extra",
    ])

    @Test func rewritesWholePathsInArgumentsAndFiles() {
        #expect(translation.translate("--defaults-file=/etc/vigil/config/a.cnf") == "--defaults-file=/h/config/a.cnf")
        #expect(translation.translate("datadir = /var/lib/mysql\nsocket=/run/mysqld/mysqld.sock\n")
                == "datadir = /h/data\nsocket=/h/run/mysqld.sock\n")
        #expect(translation.translate("{\"pidFile\":\"/run/mysqld/mysqld.pid\"}") == "{\"pidFile\":\"/h/run/mysqld.pid\"}")
        #expect(translation.translate("/etc/vigil/config/extra/x") == "/h/extra/x")
    }

    @Test func leavesOtherPathsAlone() {
        #expect(translation.translate("/var/run/mysqld/x") == "/var/run/mysqld/x")
        #expect(translation.translate("/run/mysqld2/x") == "/run/mysqld2/x")
        #expect(translation.translate("/var/lib/mysql.bak") == "/var/lib/mysql.bak")
        #expect(translation.translate("--bind-address=127.0.0.1") == "--bind-address=127.0.0.1")
    }

    @Test func expandsVariablesAsTheKubeletDoes() {
        let env = ["POD_IP": "127.1.2.3"]
        #expect(EnvironmentExpansion.expand("--bind-address=$(POD_IP)", env) == "--bind-address=127.1.2.3")
        #expect(EnvironmentExpansion.expand("$(MISSING) $$(POD_IP) $", env) == "$(MISSING) $(POD_IP) $")
    }
}
