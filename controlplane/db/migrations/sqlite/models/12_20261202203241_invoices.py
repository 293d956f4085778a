from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

# New tables only. Hand-edited after `makemigrations`: triggers that refuse UPDATE and
# DELETE on invoices (issued documents are immutable: a refund is a new credit note).


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "document_counters" (
    "id" VARCHAR(16) NOT NULL PRIMARY KEY,
    "issued" INT NOT NULL
) /* How many numbers one series and year ("INV-2026") has issued: locked, incremented and */;
        CREATE TABLE IF NOT EXISTS "invoices" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "number" VARCHAR(32) NOT NULL UNIQUE,
    "kind" VARCHAR(16) NOT NULL /* INVOICE: INVOICE\nCREDIT_NOTE: CREDIT_NOTE */,
    "transaction_id" CHAR(36) NOT NULL UNIQUE,
    "owner_type" VARCHAR(16) NOT NULL /* USER: USER */,
    "owner_id" CHAR(36) NOT NULL,
    "user_id" CHAR(36),
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
    "lines" JSON NOT NULL,
    "period_start" TIMESTAMP,
    "period_end" TIMESTAMP,
    "issued_at" TIMESTAMP NOT NULL
) /* An invoice (a CHARGE) or a credit note (a REFUND), issued in the ledger transaction it */;
CREATE INDEX IF NOT EXISTS "idx_invoices_user_id_fbd998" ON "invoices" ("user_id");
CREATE INDEX IF NOT EXISTS "idx_invoices_issued__f56bf0" ON "invoices" ("issued_at");
CREATE TRIGGER IF NOT EXISTS "invoices_no_update" BEFORE UPDATE ON "invoices"
BEGIN SELECT RAISE(ABORT, 'invoices is append-only: correct it with a credit note'); END;
CREATE TRIGGER IF NOT EXISTS "invoices_no_delete" BEFORE DELETE ON "invoices"
BEGIN SELECT RAISE(ABORT, 'invoices is append-only: correct it with a credit note'); END;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "document_counters";
        DROP TABLE IF EXISTS "invoices";"""


MODELS_STATE = (
    "eJztXW1z4ji2/isqvky6iunq0ElmLnPrVpGEnmEmgRSQmdkdtrzGVoI2tkT7JTS72//9Sp"
    "YNfo/l2MS49SUYW8cmz5Glc55zdPSfjkl0aNjvB66zmq8s4jgG7PTBfzpYNdlB6vUu6Kjr"
    "9f4qO+GoS0+yo9KWihNuurQdS9UcevFBNWxIT+nQ1iy0dhDBTOSTigyof2+QR4SBRlzsQA"
    "s8EAsQDMET3IITFQNV8658ZwNo0vaAXlaBZiCIHaDqugVt+9179jydaPSBCD9Wf2sXo88u"
    "VBzyCJ0VtOgD/voHPY2wDr9AO/i6flIeEDT0CI70WewO3gXF2a69k1cr1frkNWW/e6loxH"
    "BNHGq+3jorgnft6f/Fzj5CDC3VgXoIUuwahq+C4BT/tfSEY7lw9zP1/QkdPqiuwRTDpPlP"
    "2J/rKMp4Mldmw7midBJKCyRCYPunNIKZwhF2bA8BU/2iGBA/Oiv69eOHD1/5g/ZI8Gbsib"
    "8Pple/DKYntNU79khC+w3vVWP/Uo9f++rdRHVUfhsP+j3WD1SJLtVaEvARdtLxDovEQKf/"
    "SBnQgxN71Pe9P4D4Q12YP7Jf8H3v9OyHsx8/Xpz9SJt4v3J35occLYzGcw/gPaAb+k+QjW"
    "I7quUkQb2mqDjIhOnIxmVj6Oq+8PvgoC6sa+ziOVjOR7fD2Xxwe8dub9r2Z8NDbDAfsis9"
    "7+w2dvbkItb5dzcBf4zmvwD2Ffx9Mh56cBLbebS8J+7bzf/eYb+JDsVEwRR8OoiFMAlOB6"
    "e+skHr4Sn0KrETS1V72qiWriSukB7Japu8ZPbM+BkVq4+ekhia7Hf6c8w10VyTjrlXfJhO"
    "m4biTXJnIt1vrPjjvl1sNvqFbAD9jVv688wllfKmChtaCNpAxTrYQtUCJwv6mvz+fe9D72"
    "LReQdWqg2QbbtQ7wODaE9Q7wKENQuy50OdySWmppqes8AaMU3ksK8b5KwAnalAAAVATvC4"
    "LrAJneYsYrAJkmkQaHQ6eoTgET3Tn4Ac228K2MXXzn9IF5n+eOvWzX6nFwUmv9P467+f+9"
    "il/KmPdw6BiW8vIKc9Nu01ZCwc0X9MxVqqLb67ljv6Ib9VwVFvTkcJy8WY4gtspENAHujo"
    "YLvLXas+2NB3HrIhBNlgbagaH3DAig5k/KROqHjSCK/43hWPQvf3o2uBUch1kf6eydQzFn"
    "X+98HFGsMEeE9if87+r3N4y4Ub4nwsChsZ3r+ePwiFNauIQZ4ielj838ZMfBHsELjQekYa"
    "FMU1IlUlpMkB//gwdSk8goCGRCSaUTQxnYwE0QyJvAJNH6pWgUknccdNYTKY7Tyk9rmHZ9"
    "giiL72O+lqbOkCiHbuhuPr0fhnwSkrEOsD/2CB76aT30ez0WTMT4e+LfD0fsxP+wcL/Gkw"
    "uhle9wH/XODZfHJ3x074B3Gr5JD2+l6dFlRt+v+mqjP91dhLlFLhy+/EQamSGL4femdFEK"
    "bNsjH2LkZR1qGjIkME5b1E+1DufTj7sQDKrFkmyvxibNa0hCD2m7cP3wo57dAkSj/ttcrH"
    "9KIQR4TqGvHfEOmLjwWAvviYiTO7FIVZW7tJgD8ZRM2gS/z2MWwfmMARopuD5vXk/vJmSG"
    "fd4ZU360aZau8iO0VPIMfDYDoc3MTANaFJrJSw1yV6zOSj9jKH46Pq7L+ckvqfXu/jxx96"
    "Hz5e/Hh+9sMP5z9+2HFTyUt5JNXl6GfGU0X6dzJeYzv06mPK0JGHfEhIQl8aeo+7YlR7Ev"
    "xfZ5NxOvQRoXiADGkO+C8wkF2bEkKc09JFhoOw/Z499i1oJwZSJFYWjN4nt4M/4wP71c3k"
    "Mu5DsRtcJjgTzYJOiheVrZKQiFRI5QrhDK+iCkeTI4IVhJIbZlgeeyQ5YlpRz9UppeSoZA"
    "sTBphTr0+wsfV74JGo3X9ZcrXurvWSWo9KSq03RespL7v36xsTKX0mKCtQyi918+OkXqOC"
    "YdIBBr4AOFEBmwZ/Hr7zEwYtqLP0CuJ416bDT/fj63ddP1+DinmZGAbUH6FFEVSxrfIpHj"
    "lxbrKmxyxwkAdivwdj+Ewb+C9dH9jQMKDVpfbGln046hcv/mogzNJRLAg0skb8/qrDH8Yz"
    "SBbYUFlSpQUZ+l1gkmfIfim7g7ZS8SP7MSrLKAknotB7Gux12Aa/W/Wub8EGWlBGeZsTic"
    "iO8vLkICF6aifRusyej70iFGAvmwHsxZmpJ4QzUqZeDvsEsk2mAFle22R0NewD/2CBr6bD"
    "69GcCdGzoS/NCN2ExlLB6GZSUuY0RKAlG/ovczRK9vjoHRrd7+9nw2kfsL/N6NccOrEeHZ"
    "apN/2hKe73MWSTtDL/wbNLFe+rgKkRE2vygFA6qlsk6tjLiTr2klFHHzZ/0VMJwEOSLcT8"
    "vBDm5zmYn2di/qw6qYPGi5DvBVuIePV2tefgCo8nUakWAl3LcMJR8xZVioO9E2sj2udF8p"
    "5oq2y0zxNZT5prWRBrQutMwzItxLlIvkh2ukgiW8R2lw5x1JTOnBtYD0nJyHrpyLqjfhHD"
    "3ReQkJeHXLyzy55eSU9XGEhJ5PP6+k6kTchXtoTdC2QkAc1OANkJHD79422c8noSPaCFiF"
    "6uckBcVqZ7NCcCnAz8+9qCaVGLQnqGqTELqeVGaZlHa0tkd0QED5Pc0RCy8yh03JBkjl8J"
    "wnPyBHEnJZ1jf7Gbl9DxL9pMcVi7ojkdQDNcm+UwMFHgiQJWFko3EUZM2iEWWKlYt+lFQH"
    "85VfpPwF6RDQYEaywRgraAOivPsYJ6cgF8LU+QCRKNCFXkJEgIcowtZhdPC7GLpzns4mmS"
    "XfReI4W9ESIoR6Val4hyUYRYvMjmFS8StOLagg8ohXrJhngv0cauXHkAHn5ZIzqqlDCqop"
    "LScm6aVRVZDEc7kWsLFSUMi5QidRqmzqo5HUE4XwVlqUGpyYWuolUJnumsWMati0rKEajJ"
    "I5BckJP9Qh3n0owiC3IC3S1T4sLZPl9UqtactKa8zy94eg1hSG68hR0DXrG6k8KSRBt085"
    "gSvkhE8ctfF2ZLNqphQAecsCRQHSy3QAUsfxE4RFe3XfrNgaoJvFUh/pqVNf3yQCwzqLSd"
    "xpBUcNcFXmBWa9BEj7RHMu6AviY2YAtohle/AWelOuAJwjU7xR/3nQ00VVuxB6oGSyxmi1"
    "vYzZfkGS6wibDLK6H6q24MZCKnz1eyULd/qTKEMKEydOwAxLWARmHuAuoAMWuDcTz0RpZu"
    "qQ+OJG2a8ip3c0gbWaede7m9QoRNL4ew6SUIm9YvafljcHMznPcB/1zg6fD34fh+2Af+AT"
    "vDluvN+v66vdkC3w3+djscz5Wrm+Fgyiudxc54ldBuJ/PRZDy4Ufi6GK8eWuxcfFAtlIhW"
    "KA8tJw0tQRc1Yi3HYawOuZSj3WsPZEJl3QmVvtWVBDgvxSwk1CJW7MA5ZtygVTyDVgz+uG"
    "Rr6LTDa0DSMd8EHSNAHYTCbvS5FKMUgvvSl/z02xQanp+b0g0ibMAdv9cR9oSvQd8PzgY9"
    "on6OJQAtk2MJofoixxLW5sscywSzohmPfJ+E0Orxvpc0YjKyA5xgr4DHv6FF3jGeA+osdY"
    "TtIRPQIdESH0nOpbanSJKjEYZsNsnBlSs27e9l2pRffuA53zddFfXBSSudUsDq3YtK2/fb"
    "sLwOSgK2y/AKK92frwTZkaiULHVxJDVxjhbchKuQinUS6E/EgugR/wa3CW41zzGYR+95nD"
    "AnnAN62lI3O+sypa/RA4oCDCqXz+bT0dW8kzZeVAZ1KCLbUpijY2UGxG8ZNQ/39kyvLvZK"
    "vOjZhTqXgHfHqiR6G3JS58uk7tSWQrohLPRs0u4FAncR2K5psm3zqNPFfLBCPl2F95aeXA"
    "PmhG6OJ4d0aK6JwyIOimDoOkW0dWHsWqqavCa2+aqo5mGchc58cqfc3/UB/1xgXn6275eh"
    "DWLYQQh7gQfXv97P5ixk3Qf742ZERGUIr+4QngUfIIML5sT8s3KH45JtRLvyAlZ72MTKhc"
    "XlWgh29YufqCFHRDMqwjIyc/aN9z8s1WE7dRmBBygnKMnNb4TclFHl44oqj+nH8BmmZ+3v"
    "L3bzOAdvn2TI2hXO1regRiwWt11B1XBWPNCLPK/XC/yyW6bl4xeWq5gjyIuBpc6pKYEv/5"
    "VprpN6wLBXTn2Ct9qnu2HzQjWWzYNFTOV1u3XHbtHkzOfkbt2Dq/no92Ef8M8FZtLT4eD6"
    "b32wO1zg0ThoFxwt8O2A9tXheDBmm0GEvjSDQaCz7uu0GrlBk52ub0ipx+GGHMxvPj8twl"
    "LQVtmOyGmCpzguR6QpvnSTPI8Ak6ZWC2NG80w1194/nWpS+1dftqltr6FAAM9SN8CBBjSh"
    "Y20BF/8JnGBv+acNP78DyAa8v3nbpFF7em2oW17Hy2ZrRlde7G2DtBTzu5YnpBjqf4UtOn"
    "rPzj9ipnukAe289PJf3qe06aVNf6RDrNDuM5/FerMvIFNkSydnpm3TnVtw/MA1fVoHuLZ2"
    "lTW0tNQ96z8ZRM1aBxaVi2nggQkeoQ5y4Lye3F/eDMHddHg1mo38Ytk7W8y76E2jnw0UZD"
    "0NbmJgm9Ak1pZV9RKcJmOCsr+X7u86sp9KKCAiJuEvDT8dF/RToYFmJyGHmCJDDIPrXBjg"
    "cwmwCMCn4gifSohzIW4cqTAlhuGuO7nUgt+mW5BgUCyvfUGegT/CBsTQWSGslcr3dmfEgA"
    "UdanexYNyG9gCy6QL1mfYf+h8BapOBpas9wZQyW5Xc8SUegTdNUAmSMZCMwZEOaQKMgd/5"
    "hTr0XkbalaXtyg3SnZRC8Jmg79q3CfPKKgKH+PCCeIYkJKKSZnlbEz0EmmKm7RtZDPBAVo"
    "Iuua2jmAQltyW5rbYNMQ3iBTK3Jttf7L7IBIhsTcaqWS+halEHnJXdYw66arD8W1aBid3t"
    "O5vvFvYTr0DNSlXPfhl83zu/YNkBT3CdQgJUdVO5OLgRvme2ay83yDrIGjGZ6JYNfbuW3M"
    "g9c145mDVJyZnZjWEtS3a0zpJGDKoUc1m0wM4fxHqC1ti/2XEC+2J1nVC3ipTWuRrMrgbX"
    "w7eqrHOnblmtmcyFbZHrucbxmrcUXN62tsgz0qFFbVZPsMu2jmEWK9K7YGMhx4EYIB7mCp"
    "Xq4ZvB0GOoUyMXsE1dVMzvkLCX63jIAtuQyizhAyvJg+x9+u4J39tm/0RmohvoGVrbd1Rc"
    "B9pKxY/7BN/skFxwD9bAeyjrPq+KykkTvWoTPayjogZ6WKaFi1Gqr5ix6/wCIIdlWghy7/"
    "y8AMq0VXZhJHataGGkDE+zvWVfatrweq24a9FCm2EhucFLBFDiOhoR26Q9JNLCbltLvTQL"
    "apDaL+Vc5YioZEia4jxXUJSkTq9kCh/o/7HK5Osj13O9Eou3FGLt2eo9slbZwjxfHHjiOX"
    "w6mBKHb1lJzXuEbcA3tqRPMJGxTV8gWP0jJKPfiAkq213guhK0ACJCsmxH3KaSMZIDxEjg"
    "lzWiSihhAkQlW2gBHMmMX4guZzkkJXQcEpPhkCbrVwa9vgUty4B29jzZLnctNnZbipf3I2"
    "IJRaUaXLKsNFFapPgUbZVDlCbKT6E10wtVXUZRsQynKSLVPqjPilDSZ9mM9FmCkPY6p5iz"
    "FBKR0fv86D2DKgmtcPT+3r/NcUL6Ytw+1KGaFLefQesZabCTQo4Fl7p5vJjNGxVjxLJBlY"
    "xTA97xbg7j5H0KTFJB+9ZxIrVE9GzDfRRBN2jfOnQviuxKcpG9LclFYl+S8M9KIDyHX7KW"
    "wkTFWrDnQJ6LMvxzHvFOAkBPbgd/vot4KDeT8c9B85ACrm4ml/F0aArMI7HEttwJyTR4a6"
    "SSnfu82DYPObs8xDv3M7Ts1I6dDXFIpIWB6+ohfl3R5/orPietDV56WXAY6cRLPKcVc74e"
    "slVbg/nwug/2x50ys2jlpZxNgp2VsVXWlm+zFl/2mBCVSx9LL310oLk2KEhJDfw6m4wzom"
    "ghmThXiDQH/BcYyD5GFeSgydDIn3Ljs2vMZmc3iE+59BJxLS2tXkM2+hGhV8HfMFbp0OhL"
    "ujx7LGoxXc63yS0T7YxISq03RespsbHdplANyGmbYXVtr0jqKpvdtW4uZ+e3EkhjC0T4nk"
    "+a4doOtN6DkWMD2g9cb5tpZHsLX5YGWQL2u3S2Ouaf9krtnV/8E5zQzuGkLaup9vYL7MdG"
    "oN4HyFvUrqnG7i42oAIW9Ja4szt1wWaFtBVgC2tsdmxAtgSHbLxH2AA57wpmxP3V8X+2El"
    "BfjsqSg1RHsEi+5C6r5i7fLPzTxlx5biyW9od30k0mHzr3dzeTAXVy+ecCX93cz+bDaR/4"
    "B81weeMDTmGWLSbXZFU0hkfejeaCVl5YroU23vHadElT/sldQgtDB9pKCWI1Xbp96RnVJw"
    "WT5b+g5lAoXZy260c2dZEQlOzRK/gLG2oW9NFMaiFnq5uo2OHI0w919feqi6iifwsy0oGE"
    "JKJLE9He9me6UgL7qKBUQXkVeL65yBy6l2hf9Lf6eXONME4t8UmIAVWcDvFeKAbxkkrV1b"
    "V3Zw47TV5OJjeRafJyFE9cuL+9HFK3y0N9X3IypWzzUZH7B+3lx8nyNnzl8sxdhrWRZHrD"
    "17u5bG+opUzTlFRnHOqDZbofIdfJk5sFAY1KSUxjmLpLnZj0pkJ2YVhIJr2+SFYeX9La3X"
    "B8PRr/LDjaBmJ94B8scDyP7W4wmyvX9/RMcLTAs/sZa8/S2HaHC3w1GF8Nb27Y2d3hAg//"
    "vBtN2Tn/oCHUv2tZrDDZGlqIUGfVUS1xwzTjHpKlbjRLHVMbxCmTk5Di/Tu0zzNpk9Yhfh"
    "Zhxv3mh+fDQ0b00kWGg7D9nj32LezoerL82JRpGOWogJisLH/Q5FeOa4uqKneozSXbsm4h"
    "qTcB6s127TXFjb41S6HFRHG59oVia7Arj4rmlNms5XlOmcPcZq03PYc5xElnbhmQbNQtyn"
    "MLbR7AEpB5MX2efhy+0Xc2YGwIldogZwU2q61Xe3+zIj/FC/4zTnap2jBOEFR9/wVObC1g"
    "qk+QZ0fz53SBTbyvK8Si2VuAKR4W0JGt0v7DEp3Zw7wdv8mmcH5zBGBObgYbCcj9vBu3n3"
    "eKtgoT2ElRWQMnZig9WMRUXkezxm7RYPP0m6VZ6eT5Oh1HbtDkPOtvVsXUvrPFEn33Ek1W"
    "aEmX8rxQeZvznPI258nyNtRWIaJh6bBMrUtwjnDyEffTWuufHa8/1qh0ozlZ3687KU4Yv5"
    "DrePGdZQo6W7cEwy1b4+lSz8SkTomtIp25IlvqlBgGWKtb6vB06RmLuI+r0BZoP3m7FCO+"
    "iZpGb812MCD4AVlmcl+E+h4jU6AaMRhmOz5kQ1HhgJU02qJ3aPIk37mfsVWJ7G8zrCkOnV"
    "hHD8vIbKnjqVx7fGiqZvrapjxWai8jV4KUXgnCM040sVqAIZkmj8ElHa0iOX/ZKX+JjD+5"
    "gWgS4co3EP2G0yqvJuNPo+mtR+kEhwv8aTDyWB7+2VyK5wGyoUSoSEJEqHUpx9W/G4g9zd"
    "V2q0yiOGcX2o3LtWIgymMl6qi1G4zkCu21ZWaAQK6SGESDunkt2xszesBidQdcyxAbUaJy"
    "DQ74lIX7w9mPRfCmzXI2jmUXY2GYfcBbdNfjhKTkkmOmOee2MrLrspGNy0lcs3AtkUsXk5"
    "V5wk2j7Y83Z1IuDT/2peHeRkkpoZpgA6XsSA2jBuUS8JbHP952p55G2aO17NUDTRUJ2f07"
    "gdaxCL3zIjVtaKsc9ypZ1Ua17Q2hg6ToZtwJwRb26HocWmKUjpUGsoejNHfBzlJh0gUeXN"
    "+OxqPZfDqYT+jJyNdm8JXIVpjL+pxWuCxvtVlErrYlZgmNBCeOd4EZtFm5zuyinzm1DxOS"
    "h4sSntY14lRc/tBQbUcxyCMqUz43ISx9YekLS1/4zX1huXywzVqvYPlgJPxKn7pSHPIE02"
    "KDl778p9+m0FAzdtz0OY4pv9ec3eoIu8PX4AWIbRb9tU6+6A9iPUFrTL90Ulij0NVuHne0"
    "8drRzqAfYLPnv2LTgfA6Q0krtYtWahTpUSR1i7bKccET6VsrqgxRhMMyraQ6asAZrRV/fy"
    "gRpKNSLcT6rAirdJZNKp0lOCVt7VIArbStKDO96YhMm7JtK3OlGUKqpa2QAzXHtcR2/UmR"
    "bWFXrj6zzSGOaigmNFM3M8/LHY9LtqlPH3pfYQ9KVs2CGrlltBASlWoorYayg48ceEoMPG"
    "TN0KC/QLG3tgNNEcDTZFsI+mmvSMIhbZUdfukl0g2/4TT/eM0HJj0dDq7/1ge7wwUejYN2"
    "wdEC3w7oaDEcs3IPfRD60oyQGleKIl7sISHYvqzd89MiIxdtlV3y4TRjqYzC61GVoYZTby"
    "CDP80hhJNxAOS9J3qakfxC2HonJgujCsStKXC2toK6y3EQRj0mLDMGCiPPxs810UXIjbDI"
    "AXMETo9lk8RdUXoxWONicvfJhMtmGETzYina2k0i+8kgatbS97hkDNwHJnps8OZgdz25v7"
    "wZgrvp8Go0G/m143czrHcxOjBQc/gmE+0yhFGadGt69KGpih2WpVijVHGpi3K6oEYmtJ5L"
    "DEFxQTkCvTgC7SArMwClCMs+/8o+X2r4SZOWmnilJgRty4RcaxRQYW7v0k8UimKavTPRXk"
    "JuThTxRqvYnIgOFNQXEldKXE6qpnLVOPzJAkrZSzRDHex5rVHHk0v7OnSy13xkhwRSRNsX"
    "FKh+t3r6ONajWbEZFwdkfeHklTTh9qFeSzjzCVoYGqV6ekJSQl4IcmIryEy1+XMi9iEZCX"
    "MhmL3FYSuoWs4SllxaFpGW4cUmhxcDfRnOStFWUHsqq/DIDaTOm6xzlrS6hpYG08r25vCG"
    "MbmStOHxKLYK4pBTfoprQ8GNu2KCpViShkH9NkSVjuynEvhHxCT6ZdGng4J+KjTK7CTk+F"
    "JgfGFonQvjey7xFcD3VBzgU4lwUYTp03SUUeE4m8eLSkkurybWuwS/kRBsn99d/aoEz4uy"
    "4WcxGyUs1Zow2oENFLb2nmKoWdARLo6WJtu+3l4Da31UBW0OC/1x1jaRFW2+Ra2nsE3lK9"
    "pUUcmGVVyRZWwEytgMoIW0VSelhI1/pZtXvkbdt2lM7eNMYym1Rk2KmeQPZXk95W0Lp1SS"
    "bZRdk6aEyf9aY79pr+IBysOyl0oAYb95C9GtpZw0y2xIjW7kEgpOemDjAGzC27A3lfEGAv"
    "N99ZPZ1/8HeMrJhg=="
)
