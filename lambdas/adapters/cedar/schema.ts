/**
 * The Cedar schema of the one request the control plane makes. It is used only to warn
 * publishers about likely mistakes: `input` is open (any tool's JSON), so findings on it
 * cannot be errors.
 */
export const GATES_CEDAR_SCHEMA = `
namespace Gates {
  entity Agent;
  entity Tool;
  type TaskInfo = { repo: String, owner: String, read_only: Bool };
  action invoke_tool appliesTo {
    principal: Agent,
    resource: Tool,
    context: {
      tool: String,
      task: TaskInfo,
      command?: String,
      command_lower?: String,
      file_path?: String,
      url?: String,
      input: {}
    }
  };
}
`;
