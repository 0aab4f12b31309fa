// A small MCP server (stdio) for the tests of what server-everything cannot show on demand:
// "add-tool" registers a tool at run time, which sends notifications/tools/list_changed;
// "meta" answers with the _meta its call carried.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "changing", version: "1.0.0" });

server.registerTool(
  "add-tool",
  { description: "Adds a tool of this name", inputSchema: { name: z.string() } },
  async ({ name }) => {
    server.registerTool(name, { description: "Added at run time" }, async () => ({
      content: [{ type: "text", text: `I am ${name}` }],
    }));
    return { content: [{ type: "text", text: `added ${name}` }] };
  },
);

server.registerTool(
  "meta",
  { description: "Answers with the _meta of its call" },
  async (extra) => ({ content: [{ type: "text", text: JSON.stringify(extra._meta ?? {}) }] }),
);

await server.connect(new StdioServerTransport());
