from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

# New tables only. Hand-edited after `makemigrations`: triggers that refuse UPDATE and
# DELETE on invoices (issued documents are immutable: a refund is a new credit note),
# reusing the ledger's append-only function.


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "document_counters" (
    "id" VARCHAR(16) NOT NULL PRIMARY KEY,
    "issued" INT NOT NULL
);
COMMENT ON TABLE "document_counters" IS 'How many numbers one series and year (\"INV-2026\") has issued: locked, incremented and';
        CREATE TABLE IF NOT EXISTS "invoices" (
    "id" UUID NOT NULL PRIMARY KEY,
    "number" VARCHAR(32) NOT NULL UNIQUE,
    "kind" VARCHAR(16) NOT NULL,
    "transaction_id" UUID NOT NULL UNIQUE,
    "owner_type" VARCHAR(16) NOT NULL,
    "owner_id" UUID NOT NULL,
    "user_id" UUID,
    "seller_name" VARCHAR(200) NOT NULL,
    "seller_address" VARCHAR(500) NOT NULL,
    "seller_vat_id" VARCHAR(32) NOT NULL,
    "buyer_name" VARCHAR(200) NOT NULL,
    "buyer_email" VARCHAR(254) NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "subtotal" BIGINT NOT NULL,
    "tax" BIGINT NOT NULL,
    "total" BIGINT NOT NULL,
    "tax_rate" INT NOT NULL,
    "lines" JSONB NOT NULL,
    "period_start" TIMESTAMPTZ,
    "period_end" TIMESTAMPTZ,
    "issued_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_invoices_user_id_fbd998" ON "invoices" ("user_id");
CREATE INDEX IF NOT EXISTS "idx_invoices_issued__f56bf0" ON "invoices" ("issued_at");
COMMENT ON COLUMN "invoices"."kind" IS 'INVOICE: INVOICE\nCREDIT_NOTE: CREDIT_NOTE';
COMMENT ON COLUMN "invoices"."owner_type" IS 'USER: USER';
COMMENT ON TABLE "invoices" IS 'An invoice (a CHARGE) or a credit note (a REFUND), issued in the ledger transaction it';
CREATE TRIGGER "invoices_append_only" BEFORE UPDATE OR DELETE ON "invoices"
    FOR EACH ROW EXECUTE FUNCTION "ledger_append_only"();"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "document_counters";
        DROP TABLE IF EXISTS "invoices";"""


MODELS_STATE = (
    "eJztXWtz4jiX/isqvkx3FdPV0J10L7O1VSQhM8wkkAIyl3eYcglbAW9sifYlNPu+/d9X8g"
    "V8kR3LMcS49SWApGM7z5Glo+ccHf27ZRINGfa7vuusZiuLOI6BWj3w7xaGJvvCrW+DFlyv"
    "97WswIELT7IFaUvFiTZd2I4FVYdWPkDDRrRIQ7Zq6WtHJ5iJXEPdQNqPBlnqGKjExQ6ywA"
    "OxAMEIPKIteAMxgKpX84MNkEnbA1oNgWroCDsAapqFbPvtO3Y/jaj0hjpeVn9pF+tfXKQ4"
    "ZImcFbLoDf7+hxbrWENfkR3+XD8qDzoytBiO9F7sCl6F4mzXXuHlClrXXlP23AtFJYZr4k"
    "jz9dZZEbxrT/8vVrpEGFnQQVoEUuwaRqCCsMh/WlrgWC7aPaa2L9DQA3QNphgm7T/Cvqyl"
    "KKPxTJkOZorSSiktlIiAHRSpBDOF69ixPQRM+FUxEF46K/rzw/v33/wb7ZHwm7E7/t6fXP"
    "7Sn7yhrd6yWxLab/xeNQqqun7dN+8i0IH+ZTzo91g/UCW6VGtpwIfY4eMdFUmATv+RMqCH"
    "BXvU970/hPj9oTBfsif4sdv5+Onj5w/nHz/TJt5T7ko+5WhhOJp5AO8B3dB/gmwU24GWkw"
    "b1iqLi6CbiI5uUTaCrBcLvwi+HwvqAXTwHy9nwdjCd9W/v2OVN2/5ieIj1ZwNW0/VKt4nS"
    "N+eJzr+7CPhjOPsFsJ/gX+PRwIOT2M7S8u64bzf7V4s9Ex2KiYIp+HQQi2ASFodF39ig9f"
    "AYeZVYwQKqjxtoaUqqhnRJVtt0ldk1kyUQw6WnJIYme85gjrkiqmvSMffSH6Z501CySe5M"
    "pAWNlWDct4vNRr+QDaDPuKWPZy6olDdV2MjSkQ0g1sAWQQu8mdPX5Pcfu++75/PWW7CCNt"
    "Bt20VaDxhEfURaG+hYtRC7P9KYXGpqOtB95lglpqk77OdGd1aAzlQghALoTni7NrAJneYs"
    "YrAJkmkQqHQ6WiKw1J/oI+iOHTQFrPKl85+uiUx/fuvGzX6d8wKTXyf5+u/nPlaVP/X5nU"
    "Ng4tsLyGmPTXs1GQuH9B+DWOXa4ru63NFPD1oVHPVmdJSwXIwpvsDWNQTIAx0dbHexa9UD"
    "G/rOIzaE6DZYG1D1BxywogOZX6gRKp42wiu+dsWj0P398EpgFHJdXXvHZA4zFrX++8HFKs"
    "MEeHdifz7+T+v4lotviPtjUdTI8P71/EEoqllFDHKO6HHxfx0z8VmwI+Ai60lXkSiuMakq"
    "IU0P+KeHqUvhEQQ0IiLRjKOJ6WQkiGZE5AVoBlA1Ckw6iTsuh8lgtvOA2ucenlGLIP7a76"
    "SrsaULINq6G4yuhqOfBaesUKwHgi9zfDcZ/z6cDscjvzjya44n9yO/OPgyx9f94c3gqgf8"
    "zzmezsZ3d6wg+JK0So5pr+/VaSFo0/+Xq07+q7GXKKXC59+Jo1IlCXzfdz8WQZg2y8bYq4"
    "yjrCEH6oYIynuJ5qHcff/xcwGUWbNMlP3KxKxpCUEcNG8evhVy2pFJlH7aa+iP6UUhjgkd"
    "asR/RaTPPxQA+vxDJs6sKg6zunbTAF8bBGbQJUH7BLYPTOAE0c1B82p8f3EzoLPu4NKbde"
    "NMtVfJimiB7ngYTAb9mwS4JjKJxXF7XejLTD5qL3M8PuqQ/denpP6r2/3w4VP3/Yfzz2cf"
    "P306+/x+x02lq/JIqovhz4ynivXvtL/GdmjtkjN05CEfEZLQl4be464Y1Z4G/9fpeMSHPi"
    "aUdJDpqgP+AwzdPpgSIpzTwtUNR8f2O3bb16CdGEgxX1k4er+57f+ZHNgvb8YXyTUUu8BF"
    "ijNRLeRwVlHZKomISIVUrhCf4VWgsDc5JliBK7lmhuWpe5JjphVduTqllByXbGDAAFvUa2"
    "NsbIMeeCJqD16WXK27a62k1uOSUut10TrnZfeevjae0ieiZzlK/ap2vp/Ua1TQTdrHIBAA"
    "byBg0+DPg7dBwKCFNBZeQRyvbjK4vh9dvW0H8RpUzIvEMJC2RBZFEGIb+lO87iS5yQPdZo"
    "7DOBD7HRihJ9ogeOl6wEaGgaw2tTe27MOBXz3/q6FjFo5iIaCSte5fHzr+zfwIkjk2IAuq"
    "tBBDvw1M8oTYk7IrqCuIl+xhIIsoiQai0Gsa7HXYhs8Nvfot2CALSS9vfTwR2V5ePzhIiJ"
    "7aSTQusudDtwgF2M1mALtJZupRxxkhU8+7fULZOlOALK5tPLwc9EDwZY4vJ4Or4YwJ0dLI"
    "j3q4biJjqaB3My0pYxpi0JIN/Zd9NEr2+PgVat3v76eDSQ+wv/Xo1z50Yj06KnPY8Ie6LL"
    "9PIZqkkfEPnl2qeD8FTI2EWJ0HhNJe3SJex26O17Gb9joGsAWbnkoAHpFsIOZnhTA/y8H8"
    "LBPzJ+hwB41nId8LNhDx6u1qb4ErPJ7EpRoI9EGGEx81b1OlONg7sSaifVYk7om2ykb7LB"
    "X1pLqWhbAqtM80KtNAnIvEi2SHi6SiRWx34RAHcjpzrmM9IiU966U96w78KoZ7ICAhLw+5"
    "eGeXPb2Snq4wkNLI5/X1nUiTkK9sC7vnyEgDmh0AshM4fvjH6yzKDxPogSydaOUyByRlZb"
    "hHfTzAacd/oC3E81oU0jPi+iyklmulZd9bWyK6IyZ4nOCOmpCdJ6HjmgRz/Ep0PCOPCLc4"
    "4Rz7ynZeQMf/0maKw9oVjekAquHaLIaBiQJPFLC0UJqpY51JO8QCK4g1m1YC+uRU6T8Be0"
    "U2GBCsskAI2gJpLD3HCmnpDfAHuYMMkKiFqyInQEKQY2wwu9gpxC52ctjFTppd9F4jhb0R"
    "IijHpRoXiHJehFg8z+YVz1O04tpCDzqHesmGeC/RxK5cuQMefV3rdFQpYVTFJaXlXDerKr"
    "YZjnYi1xZKShgVKUXq1EydVXM6gnC+CMpSg1KdE13FsxI80VmxzLIuLilHoDqPQHJDTvYL"
    "dZpbM4psyAl1t+D4hbPXfHGpg8ak1eV9fmalVxOG5Mbb2NH3M1a3OCxJvEE7jynxN4koQf"
    "rrwmzJBhoGcsAbFgSqgcUWQMDiF4FDNLht018OgibwdoUEe1bW9McDscww0zaPIangqnM8"
    "xyzXoKkvaY9k3AF9TWzANtAMLn8Dzgo64BGhNSvyb/eDDVSortgNocECi9nmFnbxBXlCc2"
    "zq2PUzoQa7bgzd1J2ev5OFLvsXkCGECZWhYwcgrgVUCnMb0AUQszYYx0MvZGkWfHAkaVOX"
    "V7mdQ9rIPO3+KrdbiLDp5hA23RRh0/gtLX/0b24Gsx7wP+d4Mvh9MLof9EDwhZWw7XrTXr"
    "BvbzrHd/2/bgejmXJ5M+hP/ExniRIvE9rteDYcj/o3ir8vxsuHlihLDqqFAtEKxaHlhKGl"
    "6KJa7OU4jtUht3I0e++BDKg8dEBlYHWlAc4LMYsINYgVO3KMmW/QKp5BKwZ/UrIxdNrxNS"
    "DpmO+CjhGgDiJuN3pfihGH4L4IJK9/myDDW+dyukGMDbjzr3WCPeFb2PfD0rBHHJ5jCUHL"
    "5FgiqD7LsUS1+TzHMsYsacbSPychsnu85wWNmIzsAG+wl8Dj/5BF3jKeA2ksdISdIRPSIf"
    "EUH2nO5WB3kSRHLQzZbJLDV67YtL+XaVJ8+ZHn/MB0VeCDw0udUsDq3YtK2/f7sLyOSgI2"
    "y/CKKj2YrwTZkbiUTHVxIjlxThbc1FKBi3Ua6GtiIX2Jf0PbFLeatzCYxa95mjCnFge02I"
    "KbnXXJ6Wv0C0UBhZnLp7PJ8HLW4o0XlUEd8cg2FOb4WJkB8Wt6zaO9PXNVl3glnl3ZRTqX"
    "wOqOZUn0DuSkiy+TLqe2FNINYa5nk3YvEC4Xge2aJjs2jy662Bqs0JquwmvLlVwN5oR2zk"
    "pO15C5Jg7zOCiCrmuOaOPc2AfJavIS3+aLvJrHWSy0ZuM75f6uB/zPOfbTz/aCNLShDzt0"
    "Yc9x/+rX++mMuax7YP+9Hh5R6cI7tAvPQg+IwYVyfP5ZscNJySaiXXkCqz1sYunCknINBL"
    "v6zU/UkCOiERVRGRk5+8rnH5bqsK1DGYFHSCcoyc3vhNyUXuXT8iqP6MfgCfGj9veV7TzO"
    "wTsnGbF2haP1LaQSi/ltVwgazsp39Oreqtdz/LJL8uLxC8tVzBHk+cC4cyrH8RW8MvVdpB"
    "7R7ZWTn+C1zumu2bxQjWXzYBFTedlp3YlL1DnyOX1ad/9yNvx90AP+5xwz6cmgf/VXD+y+"
    "zvFwFLYLv83xbZ/21cGoP2KHQUR+1INBoLPuy7Qau0CdF13fkVJPYxlytHXzWacIS0FbZS"
    "9EOime4rQWInVZS9dp5RFiUtdsYcxonkJz7f3TXJM6qH3epra9hgIOPAtugIMMZCLH2gJf"
    "/CfwBnvbP2305S3QbeD3N++YNGpPrw249fN42WzP6MrzvW10lWN+H+QOHEP976hFR6/Z+i"
    "dhusca0M5Lq//2PqVNL236Ex1ihU6f+SLWmwMBGSJbOjiTd0x3bsLxI+f0aRzg6tpV1shS"
    "uWfWXxsEZu0Di8slNPDABE9QBzlwXo3vL24G4G4yuBxOh0Gy7J0t5lV60+gXQw+jnvo3Cb"
    "BNZBJry7J6CU6TCUHZ30v3d023H0soICYm4S8NPx0XtI7QQLOTkENMkSGGwXUmDPCZBFgE"
    "4I44wh0JcS7EtSMVJsQw3HUrl1oI2rQLEgyK5bUvyDP4t7ABMTSWCGsF/bPdGTFgIYfaXc"
    "wZt6E9gGzaAD7R/kP/I0BtMrBw1UfESbNVyRWf4xH8pikqQTIGkjE40SFNgDEIOr9Qh97L"
    "SLuytF250TWHkwg+E/Rd+yZhXllG4AgfXhDPiIREVNIsr2uiR0BTTN65kcUAD2Ul6JLbOo"
    "lJUHJbkttq2hBTI14g82iyfWX7WSZA5Ggyls16gaBFF+As7R5boEODxd+yDEzsaj/Y/mlh"
    "P/kZqFmq6ukv/R+7Z+csOuARrTkkQFUXlZuDa7H2zF7aywOyjrJHTAa6ZUPfrC038sycFw"
    "5mdVJyZnRjVMuSHT1kSiMGFcdcFk2w8wexHpE1Ci52msA+m10n0q1iqXUu+9PL/tXgtTLr"
    "TNADVfcq0zKO1ecax5bfUsg+ZnGyZA1ZCGwg7h+um2O5gglx/MNh1BWF2wb+ETL0DqZubP"
    "mhuNXfQtrONRiZ8mxnX1eCQ39MSG6Qk8f1vsJqpEanydZ0qm2EYcrY2hI6jojJhUed9SuX"
    "l9+DliV1lD1PNpc6YudaKh7DLmIJxaVqnBygpClEV1AFbCHaKjtX41lqo7e+ZnqhqsvYvp"
    "+xaIpJNQ/qj2cFkP54lgk0q0odxS6aJi0iInmyfJ6MQVUBT3YfXOY0IX2WIYt0qDoxZFNk"
    "PekqanHIsbCqnceL2X6jYoxYNqiScarBO97OYZy8T4FJKmzfOE6kUygtYicnLWInnRbRNt"
    "ylCLph+8ahe14k/+95dgLg81QG4OhjpRCeoa9ZQWdxsQZk98xbogz+nMVWJyGgb277f76N"
    "rVBuxqOfw+YRBVzejC+SgQcUmCWxxJJbR2RqnIS8ZOc+K5ZQNSefarJzPyHL5nbsbIgjIk"
    "3MFVU5xC9Lr3b43Gppa8NPciY4jLSSydR4adOuBiw+sj8bXPXA/nurzCxaedI0k2BnZWyV"
    "taWLHtmcEpVBxqWDjB1krg0KUloDv07HowwvWkQmyRXqqgP+AwzdPkUV5KDJ0MifcpOza8"
    "JmZxdITrm0iriWytsZlY1+TOhF8NeMVTo2+pIuzx6LGkyX+wdSlfF2xiSl1uuidY5vbJd+"
    "vQZbPabuIqqNNG0XrW/ncneRlpLAaziBV2cfyOmFiwW0tyCgcSmJaQJTd6ERk15UiAmNCk"
    "k69Fk69PTojCDduyif8Xy6+Lv+dKZc3dOS8NscT++nrD0jOHZf5/iS5Ya/uWGlu69zPPjz"
    "bjhhZcGXevAg/vmADksSoBONJfe3xNcjGddooI16ujYpJ14rrjaEOZOTkOKDKzTvsK0maR"
    "3hJxG6J2h+fJ4tYkQvXN1wdGy/Y7d9DTv6MPwPmzINoxwDlJCVgbF1fuVs117TsZFqayHk"
    "3kzKNS927wD2jGRVG8avSVb1e9R6zVnVGVnfc7Pp+hXtPB7VIWulcNrcW4LRFkCgurZDTG"
    "QBG+oay3O7BRvdMMAaboGO27TEIu5yRVuuLfKka8j6yUuIo9OOCgi1FtqAbeEl+EG3zPTG"
    "4MPdRjK9teDNsplesqGo+IBxbZPnaZ74FeocJtS6nw4mPcD+1oN+8aET6+hRGUkKn87Wjd"
    "NDE5rE5e3ryouO2svIsKjSYVE+saaKBcNGZOo8BpdcKhZxbWR7NlKOjdB8EUE4KtNEhIuc"
    "m/oh+9jUD6lTU79j79HleHQ9nNx6PqDwaz1MDgs9IDZQCO3PiQk1zm9afc/X2d1cdRcqU3"
    "QfSVKuEcPMsbeS0FtjG3ogCtqCackXmIQ1Y16rMQmDpX0Gl52NbFJO4pqFawnmOiErvUH1"
    "IS05bveT8lAcdVI+Tao6y0FRE6raS5TAYarDBArZRDVjRmSgb8Pp39fdqV+rBfBB9uojE+"
    "qGCMA7gcYts7pnRRJE0lY5SZFSKSLX0LY3hA6Sosk4U4IN7NHdsyLJkWirHMRT6ZEsYpR2"
    "FYWyx2N0dr6eUl6iOe5f3Q5Hw+ls0p+NaWHsZz0IHd1W2JL1ibeNmVC8Ic6YMaNyCYUsqO"
    "CBNBIWHHeGvBiPb2K24sUwySTc314MKPQe8vuDezjHCSKbpURQMrMpZB8rmJY8npOkc6gR"
    "p+KzBQ1oO4pBljousURKCcu1sFwLy7Xwq6+FZbBek7VeQbBezD+VODojYdME8te/TZABMz"
    "JuZRzYcWLd4Vv4AiSSRX47JF8UOYCGwxrFj6fJ5o42XjuFHfRyeArp78R0oGutfySt9B3T"
    "SrUiPYpErtBWOUvwVPTKiipDFOGoTCOpjgPg/GoZt+uNdfUpt9k55SqxeKmoMlfTMZkmBR"
    "tWtpRmCEFLXekOUh3XEhoueLIN7MrVh/44xIGG4h8Dz7Fec0Jnk5JN6tPHzivoQWk7tM1S"
    "ML1jSlSqobQayg4+cuApMfCQNUODPoFib20HmSKA82QbCHqn+7mI96X7Odv9wupklHNGjh"
    "wmPRn0r/7qgd1Xfm7g2z4dLQYjlh6nByI/6uFS85WiWAjaYumyU4LN27N/1ikyctFW2Vmz"
    "Oxk7BRR1BfGyFDXMvYB0/tSHEE77AXTvPdF4RvIzbuud2MG81mml7kpO1m9NgbPVFdJcHw"
    "dh1BPCMmKgMPJs/FwTTYTciIocMUag8/6w64/qqI0w9ZgYrEmx40F7KsBCwyCq50tR124a"
    "2WuDwKydv0nJBLgPTPTU4M3B7mp8f3EzAOxci+F0GGQI282wXmV8YKDm8E0m2mUII550Y3"
    "r0samKHZalWCOuuNRFOV1QIxNZTyWGoKSgHIGeHYF2kJUZgDjCss+/sM+XGn540lITL9SE"
    "oG2ZkmuMAiqM7V0EgUJxTLPzz+4lZAra2Gq0ihS03gHsirhSknJSNZWrxvHvLKCUvUQ91M"
    "Hu1xh1PLoLdgR39p6PbJcAR7R5ToHzIjv7zrM39p2n9vXR27EejSzFcnFI1hcOXuEJNw/1"
    "g7gzH5GFkVGqp6ckJeSFICe2optcmz/HYx+RkTAXgtnbHLZC0HIWqOTWspi0dC/W2b0Y6s"
    "twVoq6QupjWYXHLiB1Xmeds6DVNbJUxMtamsMbJuRK0oano9gqiEOf8lNcG3E21OSenx0X"
    "LMWS1Azq1yGqNN1+LIF/TEyiXxZ9OihoHaFRZichx5cC4wtD60wY3zOJrwC+HXGAOxLhog"
    "jTu2l6RgrYbB4vLiW5vAOx3iX4jZRg89bd1e9K8FZRNvoiZqNEpRrjRjuygcL23lMMVQs5"
    "wsnReLLN6+0HYK1PKqHNcaE/zdwmMqPN96h1DttUPqNNFZlsWMYVmcZGII1NH1m6umpxUt"
    "gENe289DVw36Y2uY8zjSVujhqOmRQMZXk95XUTp1QSbZSdk6aEyf9SY79ur+IR0sOyl0oA"
    "4aB5A9E9SDppFtnA9W7kEgoO37FxBDbhddibyngDgfm++sns2/8DCAnxqA=="
)
