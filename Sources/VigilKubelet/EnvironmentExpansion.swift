/// `$(VAR)` references in a container's command and args, expanded as the kubelet does
/// (k8s.io/kubernetes/third_party/forked/golang/expansion): `$(NAME)` becomes the variable's
/// value when defined and stays as written when not; `$$` is an escaped `$`.
enum EnvironmentExpansion {
    static func expand(_ input: String, _ variables: [String: String]) -> String {
        var output = ""
        var index = input.startIndex
        while index < input.endIndex {
            let character = input[index]
            let next = input.index(after: index)
            guard character == "$", next < input.endIndex else {
                output.append(character)
                index = next
                continue
            }
            if input[next] == "$" {
                output.append("$")
                index = input.index(after: next)
            } else if input[next] == "(", let close = input[next...].firstIndex(of: ")") {
                let name = String(input[input.index(after: next)..<close])
                output += variables[name] ?? "$(\(name))"
                index = input.index(after: close)
            } else {
                output.append(character)
                index = next
            }
        }
        return output
    }
}
