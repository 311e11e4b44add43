// Syntax of TVMScript (.tvms): a Python subset broad enough that anything a user is likely to
// write parses, so the front end can name an unsupported construct instead of reporting a
// bare syntax error. What the constructs mean is decided in compiler/frontend/.
parser grammar TvmsParser;

options { tokenVocab = TvmsLexer; }

file : (NEWLINE | statement)* EOF;

statement : simpleStatements | compoundStatement;

simpleStatements : simpleStatement (SEMI simpleStatement)* SEMI? NEWLINE;

simpleStatement
    : IMPORT dottedName (AS NAME)?                                   # importStatement
    | FROM dottedName IMPORT importName (COMMA importName)*          # fromImportStatement
    | RETURN exprList?                                               # returnStatement
    | PASS                                                           # passStatement
    | targets=exprList (COLON annotation=expr)? ASSIGN value=exprList # assignStatement
    | target=exprList COLON annotation=expr                          # declarationStatement
    | target=exprList AUGASSIGN value=exprList                       # augmentedAssignStatement
    | exprList                                                       # expressionStatement
    ;

importName : NAME (AS NAME)?;
dottedName : NAME (DOT NAME)*;

compoundStatement
    : decorated
    | functionDef
    | classDef
    | withStatement
    | forStatement
    | ifStatement
    | whileStatement
    ;

decorated : decorator+ (classDef | functionDef);
decorator : AT expr NEWLINE;

functionDef : DEF NAME typeParameters? LPAREN parameters? RPAREN (ARROW returnType=expr)? COLON block;
// PEP 695 type parameters, as TVM's current printer declares symbolic sizes: def main[n](...).
typeParameters : LBRACK typeParameter (COMMA typeParameter)* COMMA? RBRACK;
typeParameter  : NAME (COLON bound=expr)?;
parameters  : parameter (COMMA parameter)* COMMA?;
parameter   : NAME (COLON annotation=expr)? (ASSIGN value=expr)?;

classDef : CLASS NAME (LPAREN arguments? RPAREN)? COLON block;

block : simpleStatements | NEWLINE INDENT statement+ DEDENT;

withStatement  : WITH expr (AS target=exprList)? COLON block;
forStatement   : FOR targets=exprList IN expr COLON block;
ifStatement    : IF expr COLON block elifClause* elseClause?;
elifClause     : ELIF expr COLON block;
elseClause     : ELSE COLON block;
whileStatement : WHILE expr COLON block;

exprList : expr (COMMA expr)* COMMA?;

expr
    : atom                                                          # atomExpr
    | expr DOT NAME                                                 # attributeExpr
    | expr LPAREN arguments? RPAREN                                 # callExpr
    | expr LBRACK subscripts RBRACK                                 # subscriptExpr
    | <assoc=right> expr POWER expr                                 # powerExpr
    | op=(MINUS | PLUS | TILDE) expr                                # unaryExpr
    | expr op=(STAR | SLASH | DOUBLESLASH | PERCENT | AT) expr       # binaryExpr
    | expr op=(PLUS | MINUS) expr                                   # binaryExpr
    | expr op=(LSHIFT | RSHIFT) expr                                # binaryExpr
    | expr op=AMP expr                                              # binaryExpr
    | expr op=CARET expr                                            # binaryExpr
    | expr op=PIPE expr                                             # binaryExpr
    | expr op=(LT | GT | EQ | NE | LE | GE) expr                     # compareExpr
    | NOT expr                                                      # notExpr
    | expr op=AND expr                                              # logicalExpr
    | expr op=OR expr                                               # logicalExpr
    | <assoc=right> expr IF expr ELSE expr                          # conditionalExpr
    | LAMBDA (NAME (COMMA NAME)*)? COLON expr                       # lambdaExpr
    ;

atom
    : NAME                                      # nameAtom
    | INTEGER                                   # integerAtom
    | FLOAT                                     # floatAtom
    | STRING+                                   # stringAtom
    | (TRUE | FALSE)                            # boolAtom
    | NONE                                      # noneAtom
    | LPAREN exprList? RPAREN                   # parenAtom
    | LBRACK exprList? RBRACK                   # listAtom
    | LBRACE (dictEntry (COMMA dictEntry)* COMMA?)? RBRACE  # dictAtom
    ;

dictEntry : key=expr COLON value=expr;

arguments : argument (COMMA argument)* COMMA?;
argument  : NAME ASSIGN expr | STAR expr | POWER expr | expr;

subscripts : subscript (COMMA subscript)* COMMA?;
subscript  : lower=expr? COLON upper=expr? (COLON step=expr?)? | expr;
