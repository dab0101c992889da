/**
 * `batchmode completion bash|zsh`: a shell completion script made from commander's command tree
 * (commands, subcommands, their options, and which options take a value: those complete file
 * names). Install (bash):  batchmode completion bash > ~/.local/share/bash-completion/completions/batchmode
 * or `source <(batchmode completion bash)` in ~/.bashrc; (zsh):  batchmode completion zsh >
 * "${fpath[1]}/_batchmode", or `source <(batchmode completion zsh)` in ~/.zshrc after compinit.
 */
import type { Command } from 'commander';
import { CliExit, EXIT } from './exit-codes.js';

/** One command of the tree: its path from the root (`''`, `batches`, `batches get`). */
interface Node {
  path: string;
  commands: string[];
  options: string[];
  valued: string[];
}

/** Every command of the tree, the root first. */
export function commandTree(root: Command): Node[] {
  const nodes: Node[] = [];
  const visit = (command: Command, path: string): void => {
    const options = command.options.filter((option) => !(option as { hidden?: boolean }).hidden);
    const flags = (option: (typeof options)[number]): string[] => [option.short, option.long].filter((flag): flag is string => typeof flag === 'string');
    nodes.push({
      path,
      commands: command.commands.map((sub) => sub.name()),
      options: [...options.flatMap(flags), '--help', ...(path === '' ? ['--version'] : [])],
      valued: options.filter((option) => option.required || option.optional).flatMap(flags),
    });
    for (const sub of command.commands) visit(sub, path === '' ? sub.name() : `${path} ${sub.name()}`);
  };
  visit(root, '');
  return nodes;
}

/** A shell `case` over the command paths answering one word list per path. */
function caseFunction(name: string, nodes: Node[], words: (node: Node) => string[]): string {
  const arms = nodes.filter((node) => words(node).length > 0).map((node) => `    '${node.path}') echo '${words(node).join(' ')}' ;;`);
  return `${name}() {\n  case "$1" in\n${arms.join('\n')}\n  esac\n}\n`;
}

function helpers(nodes: Node[]): string {
  return [
    caseFunction('_batchmode_commands', nodes, (node) => node.commands),
    caseFunction('_batchmode_options', nodes, (node) => node.options),
    caseFunction('_batchmode_valued', nodes, (node) => node.valued),
  ].join('\n');
}

export function bashScript(root: Command): string {
  return `# batchmode completion for bash (batchmode completion bash).
# Install: batchmode completion bash > ~/.local/share/bash-completion/completions/batchmode
#      or: echo 'source <(batchmode completion bash)' >> ~/.bashrc
${helpers(commandTree(root))}
_batchmode() {
  local cur prev cmdpath word sub i subs
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmdpath=''
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    for sub in $(_batchmode_commands "$cmdpath"); do
      if [[ "$sub" == "$word" ]]; then cmdpath="\${cmdpath:+$cmdpath }$word"; break; fi
    done
  done
  if [[ " $(_batchmode_valued "$cmdpath") " == *" $prev "* ]]; then
    COMPREPLY=( $(compgen -f -- "$cur") )
    return
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$(_batchmode_options "$cmdpath")" -- "$cur") )
    return
  fi
  subs="$(_batchmode_commands "$cmdpath")"
  if [[ -n "$subs" ]]; then
    COMPREPLY=( $(compgen -W "$subs" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -o default -F _batchmode batchmode
`;
}

export function zshScript(root: Command): string {
  return `#compdef batchmode
# batchmode completion for zsh (batchmode completion zsh).
# Install: batchmode completion zsh > "\${fpath[1]}/_batchmode"   (then restart zsh)
#      or: echo 'source <(batchmode completion zsh)' >> ~/.zshrc   (after compinit)
${helpers(commandTree(root))}
_batchmode() {
  local cmdpath='' word sub i prev subs
  for (( i = 2; i < CURRENT; i++ )); do
    word=\${words[i]}
    [[ $word == -* ]] && continue
    for sub in \${=$(_batchmode_commands "$cmdpath")}; do
      if [[ $sub == $word ]]; then cmdpath="\${cmdpath:+$cmdpath }$word"; break; fi
    done
  done
  prev=\${words[CURRENT-1]}
  if [[ " $(_batchmode_valued "$cmdpath") " == *" $prev "* ]]; then
    _files
    return
  fi
  if [[ $PREFIX == -* ]]; then
    compadd -- \${=$(_batchmode_options "$cmdpath")}
    return
  fi
  subs=$(_batchmode_commands "$cmdpath")
  if [[ -n $subs ]]; then
    compadd -- \${=subs}
  else
    _files
  fi
}
if [[ "\${funcstack[1]}" == "_batchmode" ]]; then
  _batchmode "$@"
else
  compdef _batchmode batchmode
fi
`;
}

export function registerCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('Print a shell completion script (bash or zsh); see its first lines for how to install it')
    .argument('<shell>', 'bash | zsh')
    .action((shell: string) => {
      try {
        if (shell === 'bash') process.stdout.write(bashScript(program));
        else if (shell === 'zsh') process.stdout.write(zshScript(program));
        else throw new CliExit(EXIT.USAGE, `completion: bash or zsh, not ${JSON.stringify(shell)}`);
      } catch (error) {
        if (!(error instanceof CliExit)) throw error;
        process.stderr.write(`error: ${error.message}\n`);
        process.exitCode = error.code;
      }
    });
}
