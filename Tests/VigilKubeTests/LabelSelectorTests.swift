import Testing
import VigilKube

@Suite("Label selectors")
struct LabelSelectorTests {
    @Test func grammarAndMatching() throws {
        let labels = ["app": "db", "role": "primary", "zone": "a"]
        let cases: [(String, Bool)] = [
            ("", true), ("app=db", true), ("app==db", true), ("app!=db", false), ("app=web", false),
            ("app=db,role=primary", true), ("app=db,role=replica", false), ("role in (primary, replica)", true),
            ("role notin (primary)", false), ("role notin (replica)", true), ("zone", true), ("!zone", false),
            ("!legacy", true), ("legacy", false), ("legacy!=x", true), ("app in (web),zone", false),
            (" app = db , zone ", true),
        ]
        for (text, expected) in cases {
            let query = try LabelSelectorQuery(parsing: text)
            #expect(query.matches(labels) == expected, "\(text)")
        }
    }

    @Test func badSelectorsAreRejectedWithAMessage() {
        for text in ["app=", "=db", "role in primary", "role in ()", "app=db,", "role foo (a)", "app=d b"] {
            if text == "app=" {
                // An empty value is legal (`app=` matches label app with value "").
                #expect((try? LabelSelectorQuery(parsing: text)) != nil)
                continue
            }
            #expect(throws: LabelSelectorQuery.ParseError.self, "\(text)") { try LabelSelectorQuery(parsing: text) }
        }
        do {
            _ = try LabelSelectorQuery(parsing: "role in primary")
        } catch {
            #expect(error.description.contains("invalid label selector \"role in primary\""))
        }
    }

    @Test func fromLabelSelector() throws {
        let selector = LabelSelector(matchLabels: ["app": "db"], matchExpressions: [
            LabelSelectorRequirement(key: "role", operator: "In", values: ["primary", "replica"]),
            LabelSelectorRequirement(key: "legacy", operator: "DoesNotExist"),
        ])
        let query = LabelSelectorQuery(selector)
        #expect(query.description == "app=db,role in (primary,replica),!legacy")
        #expect(try LabelSelectorQuery(parsing: query.description) == query)
        #expect(query.matches(["app": "db", "role": "replica"]))
        #expect(!query.matches(["app": "db", "role": "replica", "legacy": "1"]))
    }
}
